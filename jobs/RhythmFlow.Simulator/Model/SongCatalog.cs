using System.Globalization;
using System.IO.Compression;
using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Model;

/// <summary>A song: its JSON fragment <c>"artist":..,"song":..,"duration":..</c> and its whole-second length.</summary>
internal sealed record Song(string Artist, string Title, float Duration, long Count)
{
    public byte[] Json { get; } = Encoding.UTF8.GetBytes(
        $"\"artist\":{JsonText.Quote(Artist)},\"song\":{JsonText.Quote(Title)},\"duration\":{JavaNumber.FloatToString(Duration)}");

    /// <summary>eventsim advances the clock by the song's length truncated to whole seconds.</summary>
    public long Seconds { get; } = Math.Max(1, (long)Duration);
}

/// <summary>
/// The songs users play, picked by listen count as eventsim picks them. eventsim's own catalog (from the
/// Million Song Dataset) is research-only, so the default catalog is generated: deterministic artists,
/// titles, log-normal durations and a Zipf-like popularity. <see cref="Load"/> reads eventsim's listen_counts format.
/// </summary>
internal sealed class SongCatalog
{
    private const long CatalogSeed = 20_220_326;

    private static readonly string[] Adjectives =
    [
        "Blue", "Electric", "Golden", "Silent", "Broken", "Velvet", "Midnight", "Crimson", "Wild", "Lonely", "Neon", "Hollow", "Bright",
        "Northern", "Restless", "Sweet", "Burning", "Frozen", "Little", "Distant", "Secret", "Paper", "Silver", "Howling", "Gentle",
        "Young", "Lost", "Holy", "Dirty", "Sunny", "Dark", "Atomic", "Cosmic", "Lazy", "Rusty", "Royal", "Savage", "Quiet",
    ];

    private static readonly string[] Nouns =
    [
        "Rivers", "Hearts", "Shadows", "Echoes", "Wolves", "Roses", "Machines", "Horizons", "Ghosts", "Tides", "Lanterns", "Kings",
        "Daughters", "Engines", "Satellites", "Pilots", "Mountains", "Sparrows", "Streets", "Diamonds", "Highways", "Oceans", "Radios",
        "Mirrors", "Saints", "Thieves", "Drums", "Comets", "Gardens", "Violets", "Rooster", "Devils", "Angels", "Cowboys", "Strangers",
    ];

    private static readonly string[] Given =
    [
        "Tony", "Clara", "Marvin", "Ella", "Otis", "Nina", "Billy", "June", "Sam", "Aretha", "Johnny", "Lucinda", "Ray", "Patsy", "Hank",
        "Etta", "Willie", "Dolly", "Miles", "Joni", "Buddy", "Loretta", "Chet", "Odetta", "Jimmy", "Carole", "Townes", "Bonnie", "Lou",
    ];

    private static readonly string[] Family =
    [
        "White", "Brown", "Gatemouth", "Waters", "Fitzgerald", "Redding", "Simone", "Holiday", "Carter", "Cooke", "Cash", "Williams",
        "Charles", "Cline", "James", "Nelson", "Parton", "Davis", "Mitchell", "Holly", "Lynn", "Baker", "Reed", "Vance", "Moreno",
    ];

    private static readonly string[] TitleWords =
    [
        "Love", "Night", "Road", "Fire", "Rain", "Home", "Heart", "Dream", "Song", "Light", "Train", "Summer", "Money", "River", "Moon",
        "Sky", "Time", "Girl", "Boy", "Morning", "Blues", "Dance", "Town", "Window", "Letter", "Devil", "Garden", "Island", "Melody",
        "Stars", "Shadow", "Thunder", "Ocean", "City", "Mountain", "Kiss", "Tears", "Wind", "Ghost", "Storm", "Gold", "Wine", "Smoke",
    ];

    private static readonly string[] TitleOpeners =
    ["", "", "", "", "The ", "My ", "Your ", "Last ", "Sweet ", "One More ", "Little ", "Up Jumped The ", "Close Your ", "Yo Yo "];

    private static readonly string[] TitleEndings = ["", "", "", "", "", " - Live", " (Remastered)", " (Acoustic)", " Again", " Tonight", " Forever"];

    private SongCatalog(Song[] songs)
    {
        Songs = songs;
        Pick = new WeightedTable<Song>(songs.Select(s => (s, s.Count)));
    }

    public Song[] Songs { get; }

    public WeightedTable<Song> Pick { get; }

    /// <summary>The generated catalog: the same songs for every seed, so runs and dashboards line up.</summary>
    public static SongCatalog Generated(int songCount = 10_000)
    {
        var rng = new Xoshiro(CatalogSeed, 0);
        var artists = new string[Math.Max(1, songCount / 4)];
        for (var i = 0; i < artists.Length; i++)
        {
            artists[i] = rng.NextLong(3) switch
            {
                0 => $"{Given[rng.NextLong(Given.Length)]} {Family[rng.NextLong(Family.Length)]}",
                1 => $"The {Adjectives[rng.NextLong(Adjectives.Length)]} {Nouns[rng.NextLong(Nouns.Length)]}",
                _ => $"{Adjectives[rng.NextLong(Adjectives.Length)]} {Nouns[rng.NextLong(Nouns.Length)]}",
            };
        }

        var songs = new Song[songCount];
        for (var i = 0; i < songCount; i++)
        {
            var artist = artists[rng.NextLong(artists.Length)];
            var words = 1 + rng.NextLong(3);
            var title = new StringBuilder(TitleOpeners[rng.NextLong(TitleOpeners.Length)]);
            for (var w = 0; w < words; w++)
            {
                title.Append(w == 0 ? string.Empty : " ").Append(TitleWords[rng.NextLong(TitleWords.Length)]);
            }

            title.Append(TitleEndings[rng.NextLong(TitleEndings.Length)]);
            // Log-normal around four minutes, to five decimals like the Million Song Dataset's durations.
            var seconds = Math.Clamp(Math.Exp(Math.Log(230) + (0.35 * rng.Gaussian())), 30, 1500);
            var duration = (float)Math.Round(seconds + rng.NextDouble(), 5);
            songs[i] = new Song(artist, title.ToString(), duration, 0);
        }

        // Popularity by rank, heavy-tailed like listen counts: the top song about 20,000 plays, the tail a handful.
        var order = Enumerable.Range(0, songCount).Select(i => (i, key: rng.NextULong())).OrderBy(x => x.key).Select(x => x.i).ToArray();
        for (var rank = 0; rank < songCount; rank++)
        {
            var s = songs[order[rank]];
            songs[order[rank]] = s with { Count = 1 + (long)(20_000 * Math.Pow(rank + 1, -0.9)) };
        }

        return new SongCatalog(songs);
    }

    /// <summary>
    /// Reads eventsim's <c>listen_counts</c> format: <c>trackId TAB artist TAB title TAB duration TAB count</c>,
    /// gzip or plain. Text is decoded as UTF-8 (what the file holds), falling back to ISO-8859-1 for lines that
    /// are not valid UTF-8; eventsim always read Latin-1 and so double-encoded every accent.
    /// </summary>
    public static SongCatalog Load(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var magic = new byte[2];
            var gzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            using var stream = new BufferedStream(gzip ? new GZipStream(file, CompressionMode.Decompress) : file, 1 << 16);
            return Parse(stream, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new UsageException($"Cannot read the song catalog '{path}': {ex.Message}", "Pass a listen_counts file (TAB separated, optionally gzip) with --catalog, or leave it out.", ex);
        }
    }

    private static SongCatalog Parse(Stream stream, string path)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var songs = new List<Song>();
        var lineNumber = 0;
        foreach (var raw in ReadLines(stream))
        {
            lineNumber++;
            string line;
            try
            {
                line = strict.GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                line = Encoding.Latin1.GetString(raw);
            }

            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split('\t');
            if (f.Length != 5)
            {
                throw Bad(path, lineNumber, $"has {f.Length} fields; expected 5 (trackId, artist, title, duration, count)");
            }

            var duration = f[3].Length == 0 ? 180f : float.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d
                : throw Bad(path, lineNumber, $"has duration '{f[3]}'; expected seconds, such as 332.32934");
            var count = long.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) && c >= 0 ? c
                : throw Bad(path, lineNumber, $"has count '{f[4]}'; expected a whole number");
            songs.Add(new Song(f[1], f[2], duration, count));
        }

        return songs.Any(s => s.Count > 0)
            ? new SongCatalog([.. songs])
            : throw new UsageException($"The song catalog '{path}' has no song with a positive listen count.", "Check that it is a listen_counts file.");
    }

    private static UsageException Bad(string path, int line, string problem) =>
        new($"Song catalog '{path}', line {line}, {problem}.", "The listen_counts format is trackId<TAB>artist<TAB>title<TAB>duration<TAB>count.");

    private static IEnumerable<byte[]> ReadLines(Stream stream)
    {
        var buffer = new MemoryStream();
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                yield return TrimCr(buffer);
                buffer.SetLength(0);
            }
            else
            {
                buffer.WriteByte((byte)b);
            }
        }

        if (buffer.Length > 0)
        {
            yield return TrimCr(buffer);
        }
    }

    private static byte[] TrimCr(MemoryStream buffer)
    {
        var bytes = buffer.ToArray();
        return bytes.Length > 0 && bytes[^1] == '\r' ? bytes[..^1] : bytes;
    }
}
