using System.Globalization;
using System.Text.Json;
using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Model;

/// <summary>One page state as eventsim's config spells it: page, method, status, auth, level.</summary>
public sealed record StateKey(string Page, string Method, int Status, string Auth, string Level);

/// <summary>A transition from <see cref="Source"/> to <see cref="Dest"/> with probability <see cref="P"/>.</summary>
public sealed record TransitionEntry(StateKey Source, StateKey Dest, double P);

/// <summary>
/// eventsim's JSON config (the format of <c>example-config.json</c>), loaded and checked. Keys and defaults
/// follow eventsim; anything it would misread (an unknown page or auth, probabilities above 1) is rejected
/// with the file, the field and the problem.
/// </summary>
public sealed class EventsimConfig
{
    public static readonly IReadOnlySet<string> Pages = new HashSet<string>(StringComparer.Ordinal)
    {
        "About", "Home", "Help", "Settings", "Upgrade", "Downgrade", "Register", "Error", "Cancellation Confirmation",
        "NextSong", "Login", "Logout", "Save Settings", "Submit Registration", "Submit Upgrade", "Submit Downgrade", "Cancel",
    };

    public static readonly IReadOnlySet<string> Auths = new HashSet<string>(StringComparer.Ordinal) { "Guest", "Logged In", "Logged Out", "Cancelled" };

    public static readonly IReadOnlySet<string> Levels = new HashSet<string>(StringComparer.Ordinal) { "free", "paid" };

    /// <summary>Where the config came from (a path, or "default config"), for messages.</summary>
    public required string Source { get; init; }

    public long? Seed { get; init; }

    public double Alpha { get; init; } = 60;

    public double Beta { get; init; } = 3 * 86400;

    public double Damping { get; init; } = 0.0625;

    public double WeekendDamping { get; init; } = 0.5;

    public int WeekendDampingOffsetMinutes { get; init; } = 6;

    public int WeekendDampingScaleMinutes { get; init; } = 6;

    public long SessionGapSeconds { get; init; } = 1800;

    public string ChurnedState { get; init; } = "Cancelled";

    public string NewUserAuth { get; init; } = "Guest";

    public string NewUserLevel { get; init; } = "free";

    public required IReadOnlyDictionary<string, bool> ShowUserDetails { get; init; }

    public required IReadOnlyList<(string Level, long Weight)> InitialLevels { get; init; }

    public required IReadOnlyList<(string Auth, long Weight)> InitialAuths { get; init; }

    public required IReadOnlyList<(StateKey State, long Weight)> NewSession { get; init; }

    public required IReadOnlyList<TransitionEntry> Transitions { get; init; }

    public DateTimeOffset? StartDate { get; init; }

    public DateTimeOffset? EndDate { get; init; }

    public int? Users { get; init; }

    public long? FirstUserId { get; init; }

    public double? GrowthRate { get; init; }

    public string? Tag { get; init; }

    /// <summary>The config RhythmFlow ships: eventsim's example-config.json, the one streamify runs.</summary>
    public static EventsimConfig Default()
    {
        using var stream = typeof(EventsimConfig).Assembly.GetManifestResourceStream("RhythmFlow.Simulator.Data.default-config.json")
            ?? throw new InvalidOperationException("The default simulator config is not embedded.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "default config");
    }

    public static EventsimConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the simulator config '{path}': {ex.Message}", "Pass an eventsim JSON config with --config, or leave it out to use the default.", ex);
        }

        return Parse(text, path);
    }

    public static EventsimConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw Problem(source, $"line {ex.LineNumber + 1}", $"is not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var reader = new Reader(source, document.RootElement);
            var config = new EventsimConfig
            {
                Source = source,
                Seed = reader.OptionalLong("seed"),
                Alpha = reader.Number("alpha", 60, min: double.Epsilon),
                Beta = reader.Number("beta", 3 * 86400, min: double.Epsilon),
                Damping = reader.Number("damping", 0.0625, min: 0, max: 0.5),
                WeekendDamping = reader.Number("weekend-damping", 0.5, min: 0, max: 1),
                WeekendDampingOffsetMinutes = (int)reader.Number("weekend-damping-offset", 6, min: 0, max: 1440),
                WeekendDampingScaleMinutes = (int)reader.Number("weekend-damping-scale", 6, min: 1, max: 2880),
                SessionGapSeconds = (long)reader.Number("session-gap", 1800, min: 0),
                ChurnedState = reader.Auth("churned-state", "Cancelled"),
                NewUserAuth = reader.Auth("new-user-auth", "Guest"),
                NewUserLevel = reader.Level("new-user-level", "free"),
                ShowUserDetails = reader.ShowUserDetails(),
                InitialLevels = reader.WeightedList("levels", "level", Levels),
                InitialAuths = reader.WeightedList("auths", "auth", Auths),
                NewSession = reader.NewSession(),
                Transitions = reader.Transitions(),
                StartDate = reader.OptionalDate("start-date"),
                EndDate = reader.OptionalDate("end-date"),
                Users = (int?)reader.OptionalLong("n-users"),
                FirstUserId = reader.OptionalLong("first-user-id"),
                GrowthRate = reader.OptionalNumber("growth-rate"),
                Tag = reader.OptionalString("tag"),
            };
            config.CheckProbabilities();
            config.CheckSessionsCanStart();
            return config;
        }
    }

    internal static UsageException Problem(string source, string field, string problem) =>
        new($"Simulator config '{source}', field '{field}' {problem}.",
            "Fix the config file (eventsim's format, as in example-config.json) or leave --config out to use the default.");

    private void CheckProbabilities()
    {
        foreach (var group in Transitions.Select((t, i) => (t, i)).GroupBy(x => x.t.Source))
        {
            var sum = group.Sum(x => x.t.P);
            if (sum > 1 + 1e-9)
            {
                throw Problem(Source, $"transitions[{group.Last().i}].p",
                    $"makes the probabilities leaving {Describe(group.Key)} sum to {sum.ToString("0.######", CultureInfo.InvariantCulture)}, above 1");
            }
        }
    }

    // A session that ends in (auth, level) starts the next one from new-session's entries for that pair, so
    // every reachable non-churned pair needs at least one entry with a positive weight.
    private void CheckSessionsCanStart()
    {
        var starts = NewSession.Where(s => s.Weight > 0).Select(s => (s.State.Auth, s.State.Level)).ToHashSet();
        var reachable = Transitions.SelectMany(t => new[] { t.Source, t.Dest })
            .Concat(NewSession.Select(s => s.State))
            .Select(s => (Auth: s.Auth, Level: s.Level))
            .Concat(InitialAuths.Where(a => a.Weight > 0).SelectMany(a => InitialLevels.Where(l => l.Weight > 0).Select(l => (Auth: a.Auth, Level: l.Level))))
            .Append((Auth: NewUserAuth, Level: NewUserLevel))
            .Where(p => p.Auth != ChurnedState)
            .Distinct();
        foreach (var (auth, level) in reachable)
        {
            if (!starts.Contains((auth, level)))
            {
                throw Problem(Source, "new-session", $"has no entry with auth '{auth}' and level '{level}', so a session ending there could not start the next one");
            }
        }
    }

    internal static string Describe(StateKey s) => $"{s.Page} ({s.Method} {s.Status}, {s.Auth}, {s.Level})";

    /// <summary>Reads fields with a JSON path for every message.</summary>
    private readonly struct Reader(string source, JsonElement root)
    {
        public double Number(string name, double fallback, double min = double.MinValue, double max = double.MaxValue) =>
            OptionalNumber(name, min, max) ?? fallback;

        public double? OptionalNumber(string name, double min = double.MinValue, double max = double.MaxValue)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number)
            {
                throw Problem(source, name, $"must be a number; got {value.ValueKind.ToString().ToLowerInvariant()}");
            }

            var number = value.GetDouble();
            if (number < min || number > max)
            {
                throw Problem(source, name, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}; got {number.ToString(CultureInfo.InvariantCulture)}");
            }

            return number;
        }

        public long? OptionalLong(string name)
        {
            if (OptionalNumber(name) is not { } number)
            {
                return null;
            }

            return number == Math.Floor(number) ? (long)number : throw Problem(source, name, $"must be a whole number; got {number.ToString(CultureInfo.InvariantCulture)}");
        }

        public string? OptionalString(string name) => root.TryGetProperty(name, out var value) ? Text(value, name) : null;

        public DateTimeOffset? OptionalDate(string name)
        {
            if (OptionalString(name) is not { } text)
            {
                return null;
            }

            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
                ? new DateTimeOffset(date, TimeSpan.Zero)
                : throw Problem(source, name, $"must be an ISO-8601 date-time; got '{text}'");
        }

        public string Auth(string name, string fallback) => Check(OptionalString(name) ?? fallback, name, Auths, "auth");

        public string Level(string name, string fallback) => Check(OptionalString(name) ?? fallback, name, Levels, "level");

        public Dictionary<string, bool> ShowUserDetails()
        {
            var show = new Dictionary<string, bool>(StringComparer.Ordinal);
            var i = 0;
            foreach (var entry in Array("show-user-details"))
            {
                var path = $"show-user-details[{i++}]";
                var auth = Check(Text(Field(entry, "auth", path), $"{path}.auth"), $"{path}.auth", Auths, "auth");
                var flag = Field(entry, "show", path);
                show[auth] = flag.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? flag.GetBoolean()
                    : throw Problem(source, $"{path}.show", "must be true or false");
            }

            return show;
        }

        public List<(string, long)> WeightedList(string name, string key, IReadOnlySet<string> allowed)
        {
            var list = new List<(string, long)>();
            var i = 0;
            foreach (var entry in Array(name))
            {
                var path = $"{name}[{i++}]";
                list.Add((Check(Text(Field(entry, key, path), $"{path}.{key}"), $"{path}.{key}", allowed, key), Weight(entry, path)));
            }

            return list.Any(e => e.Item2 > 0) ? list : throw Problem(source, name, "needs at least one entry with a positive weight");
        }

        public List<(StateKey, long)> NewSession()
        {
            var list = new List<(StateKey, long)>();
            var i = 0;
            foreach (var entry in Array("new-session"))
            {
                var path = $"new-session[{i++}]";
                list.Add((State(entry, path), Weight(entry, path)));
            }

            return list;
        }

        public List<TransitionEntry> Transitions()
        {
            var list = new List<TransitionEntry>();
            var i = 0;
            foreach (var entry in Array("transitions"))
            {
                var path = $"transitions[{i++}]";
                var p = Field(entry, "p", path);
                if (p.ValueKind != JsonValueKind.Number || p.GetDouble() is < 0 or > 1)
                {
                    throw Problem(source, $"{path}.p", "must be a probability between 0 and 1");
                }

                list.Add(new TransitionEntry(State(Field(entry, "source", path), $"{path}.source"), State(Field(entry, "dest", path), $"{path}.dest"), p.GetDouble()));
            }

            return list;
        }

        private StateKey State(JsonElement entry, string path)
        {
            var page = Check(Text(Field(entry, "page", path), $"{path}.page"), $"{path}.page", Pages, "page");
            var method = Text(Field(entry, "method", path), $"{path}.method");
            if (method is not ("GET" or "PUT"))
            {
                throw Problem(source, $"{path}.method", $"must be GET or PUT; got '{method}'");
            }

            var status = Field(entry, "status", path);
            if (status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out var code) || code is < 100 or > 599)
            {
                throw Problem(source, $"{path}.status", "must be an HTTP status code such as 200, 307 or 404");
            }

            var auth = Check(Text(Field(entry, "auth", path), $"{path}.auth"), $"{path}.auth", Auths, "auth");
            var level = Check(Text(Field(entry, "level", path), $"{path}.level"), $"{path}.level", Levels, "level");
            return new StateKey(page, method, code, auth, level);
        }

        private long Weight(JsonElement entry, string path)
        {
            var weight = Field(entry, "weight", path);
            return weight.ValueKind == JsonValueKind.Number && weight.TryGetInt64(out var w) && w >= 0
                ? w
                : throw Problem(source, $"{path}.weight", "must be a whole number of at least 0");
        }

        private JsonElement.ArrayEnumerator Array(string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray()
                : throw Problem(source, name, "is missing or not a list");

        private JsonElement Field(JsonElement entry, string name, string path) =>
            entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(name, out var value)
                ? value
                : throw Problem(source, $"{path}.{name}", "is missing");

        private string Text(JsonElement value, string path) =>
            value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Problem(source, path, "must be a string");

        private string Check(string value, string path, IReadOnlySet<string> allowed, string what) =>
            allowed.Contains(value)
                ? value
                : throw Problem(source, path, $"names an unknown {what} '{value}'; allowed: {string.Join(", ", allowed.Select(a => $"'{a}'"))}");
    }
}
