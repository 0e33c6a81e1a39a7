using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Parquet;

namespace RhythmFlow.Benchmarks.Parquet;

/// <summary>
/// Deterministic listen_events-shaped rows held column-wise in memory, so a benchmark times the writer, not the
/// data generation. Users, songs and sessions repeat as they do in eventsim output.
/// </summary>
public sealed class ListenEventsData
{
    private static readonly string[] FirstNames = ["Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jae", "Kemal", "Lior"];
    private static readonly string[] LastNames = ["Smith", "García", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Tanaka", "Silva", "Cohen"];
    private static readonly string[] Cities = ["Tampa", "Austin", "Portland", "Boston", "Denver", "Chicago", "Seattle", "Atlanta", "Phoenix", "Omaha"];
    private static readonly string[] States = ["FL", "TX", "OR", "MA", "CO", "IL", "WA", "GA", "AZ", "NE"];
    private static readonly string[] Agents =
    [
        "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"",
        "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.77.4 (KHTML, like Gecko) Version/7.0.5 Safari/537.77.4\"",
        "Mozilla/5.0 (Windows NT 6.1; rv:31.0) Gecko/20100101 Firefox/31.0",
        "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
    ];

    public ListenEventsData(int rows, int seed = 42)
    {
        Rows = rows;
        Schema = LakeParquetSchema.For(Topics.Listen);
        var random = new Random(seed);
        var columns = Schema.Columns.Count;
        Strings = new byte[columns][][];
        Longs = new long[columns][];
        Ints = new int[columns][];
        Doubles = new double[columns][];
        for (var c = 0; c < columns; c++)
        {
            switch (Schema.Columns[c].PhysicalType)
            {
                case ParquetPhysicalType.ByteArray:
                    Strings[c] = new byte[rows][];
                    break;
                case ParquetPhysicalType.Int64:
                    Longs[c] = new long[rows];
                    break;
                case ParquetPhysicalType.Int32:
                    Ints[c] = new int[rows];
                    break;
                default:
                    Doubles[c] = new double[rows];
                    break;
            }
        }

        var users = Enumerable.Range(0, 5000).Select(u => new
        {
            Id = (long)(u + 1),
            First = Utf8(FirstNames[random.Next(FirstNames.Length)]),
            Last = Utf8(LastNames[random.Next(LastNames.Length)]),
            Gender = Utf8(random.Next(2) == 0 ? "M" : "F"),
            Registration = 1_530_000_000_000L + random.NextInt64(0, 20_000_000_000),
            City = random.Next(Cities.Length),
            Zip = Utf8($"{random.Next(10000, 99999)}"),
            Agent = Utf8(Agents[random.Next(Agents.Length)]),
            Lon = -120 + (random.NextDouble() * 50),
            Lat = 25 + (random.NextDouble() * 20),
            Level = Utf8(random.Next(4) == 0 ? "paid" : "free"),
        }).ToArray();
        var songs = Enumerable.Range(0, 20000).Select(s => (Artist: Utf8($"Artist {s % 3000} {(char)('A' + (s % 26))}"), Song: Utf8($"Song title number {s}"), Duration: 120 + (random.NextDouble() * 300))).ToArray();
        var loggedIn = Utf8("Logged In");
        var topic = Utf8(Topics.Listen);
        var batch = Utf8("20240401T000000Z-7f3a");
        long ts = 1_711_929_600_000;
        var session = 1000L;
        var item = 0;
        var user = users[0];
        for (var r = 0; r < rows; r++)
        {
            if (item == 0 || random.Next(40) == 0)
            {
                user = users[random.Next(users.Length)];
                session++;
                item = 0;
            }

            var song = songs[random.Next(songs.Length)];
            ts += random.Next(0, 400);
            Set("artist", song.Artist);
            Set("song", song.Song);
            Doubles[Index("duration")][r] = song.Duration;
            Longs[Index("ts")][r] = ts;
            Longs[Index("session_id")][r] = session;
            Set("auth", loggedIn);
            Set("level", user.Level);
            Ints[Index("item_in_session")][r] = item++;
            Set("city", Utf8(Cities[user.City]));
            Set("zip", user.Zip);
            Set("state", Utf8(States[user.City]));
            Set("user_agent", user.Agent);
            Doubles[Index("lon")][r] = user.Lon;
            Doubles[Index("lat")][r] = user.Lat;
            Longs[Index("user_id")][r] = user.Id;
            Set("last_name", user.Last);
            Set("first_name", user.First);
            Set("gender", user.Gender);
            Longs[Index("registration")][r] = user.Registration;
            Set("tag", null);
            Set(LakeSchema.KafkaTopic, topic);
            Ints[Index(LakeSchema.KafkaPartition)][r] = (int)(user.Id % 6);
            Longs[Index(LakeSchema.KafkaOffset)][r] = r;
            Longs[Index(LakeSchema.KafkaTimestamp)][r] = ts + random.Next(5, 900);
            Set(LakeSchema.LandingBatchId, batch);

            void Set(string column, byte[]? value) => Strings[Index(column)][r] = value!;
        }
    }

    public int Rows { get; }

    public ParquetSchema Schema { get; }

    public byte[][][] Strings { get; }

    public long[][] Longs { get; }

    public int[][] Ints { get; }

    public double[][] Doubles { get; }

    /// <summary>Uncompressed bytes of the values (fixed widths plus string bytes), the numerator of MB/s.</summary>
    public long RawBytes => Schema.Columns.Select((c, i) => c.PhysicalType switch
    {
        ParquetPhysicalType.ByteArray => Strings[i].Sum(s => (long)(s?.Length ?? 0)),
        ParquetPhysicalType.Int32 => 4L * Rows,
        _ => 8L * Rows,
    }).Sum();

    /// <summary>Writes every row through the typed column API, as the landing job does.</summary>
    public void WriteTo(Stream output, ParquetCompression codec, params string[] plainColumns)
    {
        var options = new ParquetWriterOptions { Compression = codec };
        options.DisableDictionaryFor.UnionWith(plainColumns);
        using var writer = Append(output, options);
    }

    /// <summary>Appends every row to a new writer and returns it open: its one row group is written on dispose.</summary>
    public ParquetWriter Append(Stream output, ParquetWriterOptions options)
    {
        var writer = new ParquetWriter(output, Schema, options);
        var columns = Schema.Columns.Count;
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                switch (Schema.Columns[c].PhysicalType)
                {
                    case ParquetPhysicalType.ByteArray:
                        var value = Strings[c][r];
                        if (value is null)
                        {
                            writer.Column(c).AppendNull();
                        }
                        else
                        {
                            writer.ByteArrayColumn(c).Append(value);
                        }

                        break;
                    case ParquetPhysicalType.Int64:
                        writer.Int64Column(c).Append(Longs[c][r]);
                        break;
                    case ParquetPhysicalType.Int32:
                        writer.Int32Column(c).Append(Ints[c][r]);
                        break;
                    default:
                        writer.DoubleColumn(c).Append(Doubles[c][r]);
                        break;
                }
            }

            writer.EndRow();
        }

        return writer;
    }

    private int Index(string column) => Schema.RequireIndex(column);

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);
}
