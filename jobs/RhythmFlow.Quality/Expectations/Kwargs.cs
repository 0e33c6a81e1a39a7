using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Quality.Sql;
using RhythmFlow.Quality.Suites;

namespace RhythmFlow.Quality.Expectations;

/// <summary>
/// Typed access to one expectation's kwargs with suite parameters resolved. Every read is recorded so that
/// <see cref="RejectUnknown"/> can refuse kwargs the expectation does not understand instead of ignoring them.
/// </summary>
internal sealed class Kwargs
{
    // Arguments every GX expectation accepts, whatever its type.
    private static readonly string[] Common = ["result_format", "catch_exceptions", "meta", "include_config", "severity"];

    private readonly string _suite;
    private readonly ExpectationConfig _config;
    private readonly SuiteParameters _parameters;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Kwargs(string suite, ExpectationConfig config, SuiteParameters parameters)
    {
        _suite = suite;
        _config = config;
        _parameters = parameters;
        Resolved = [];
        foreach (var (name, node) in config.Kwargs)
        {
            Resolved[name] = ResolveNode(name, node);
        }
    }

    /// <summary>The kwargs with every <c>$PARAMETER</c> replaced by its value, as GX writes them into results.</summary>
    public JsonObject Resolved { get; }

    public ExpectationConfigException Error(string problem, string? hint = null) =>
        new(_suite, _config.Id, _config.Type, problem, hint);

    public string Column(string name = "column")
    {
        var value = String(name) ?? throw Error($"kwarg '{name}' is required.", $"Name the column: \"{name}\": \"user_id\".");
        return SqlNames.IsValid(value) ? value : throw Error($"kwarg '{name}' = '{value}' is not a valid column name (lower-case letters, digits, '_').");
    }

    public IReadOnlyList<string> ColumnList(string name = "column_list", int minimum = 1)
    {
        var node = Take(name) as JsonArray ?? throw Error($"kwarg '{name}' must be a list of column names.");
        var columns = node.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) && SqlNames.IsValid(s)
            ? s
            : throw Error($"kwarg '{name}' holds '{n?.ToJsonString()}', which is not a valid column name.")).ToList();
        return columns.Count >= minimum ? columns : throw Error($"kwarg '{name}' needs at least {minimum} columns; got {columns.Count}.");
    }

    public string? String(string name) => Take(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw Error($"kwarg '{name}' must be a string; got {other.ToJsonString()}."),
    };

    public bool Bool(string name, bool fallback) => Take(name) switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw Error($"kwarg '{name}' must be true or false; got {other.ToJsonString()}."),
    };

    /// <summary>GX's <c>mostly</c>: a fraction in [0, 1], 1 when absent.</summary>
    public double Mostly()
    {
        var mostly = Number("mostly") ?? 1.0;
        return mostly is >= 0 and <= 1 ? mostly : throw Error($"kwarg 'mostly' must be between 0 and 1; got {mostly.ToString(CultureInfo.InvariantCulture)}.");
    }

    public double? Number(string name) => Take(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw Error($"kwarg '{name}' must be a number; got {other.ToJsonString()}."),
    };

    /// <summary>A bound to compare column values with: a number, a string (text or an ISO instant) or an instant.</summary>
    public object? Bound(string name) => Take(name) switch
    {
        null => null,
        JsonValue v => ToBindable(name, v),
        var other => throw Error($"kwarg '{name}' must be a number or a string; got {other.ToJsonString()}."),
    };

    public IReadOnlyList<object> ValueSet(string name = "value_set")
    {
        var node = Take(name) as JsonArray ?? throw Error($"kwarg '{name}' must be a list of values.");
        return node.Count > 0
            ? node.Select(n => n is JsonValue v ? ToBindable(name, v) : throw Error($"kwarg '{name}' holds {n?.ToJsonString()}, which is not a scalar.")).ToList()
            : throw Error($"kwarg '{name}' is empty; an empty set accepts nothing.", "List the accepted values.");
    }

    /// <summary>An enumerated string kwarg.</summary>
    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = String(name) ?? fallback;
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw Error($"kwarg '{name}' = '{value}' is not one of {string.Join(", ", allowed)}.");
    }

    /// <summary>Marks a kwarg as understood without reading it (the caller reads it some other way).</summary>
    public JsonNode? Take(string name)
    {
        _read.Add(name);
        return Resolved[name];
    }

    /// <summary>Throws for any kwarg the expectation did not read; GX refuses unknown kwargs too.</summary>
    public void RejectUnknown()
    {
        var unknown = Resolved.Select(p => p.Key).Where(k => !_read.Contains(k) && !Common.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw Error(
                $"unknown kwarg{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => $"'{u}'"))}.",
                $"Accepted here: {string.Join(", ", _read.Order(StringComparer.Ordinal))}.");
        }
    }

    private object ToBindable(string name, JsonValue value) =>
        SuiteParameters.ToScalar(value) ?? throw Error($"kwarg '{name}' holds null or an unsupported value {value.ToJsonString()}.");

    private JsonNode? ResolveNode(string name, JsonNode? node)
    {
        if (!SuiteParameters.IsReference(node, out var expression))
        {
            return node?.DeepClone();
        }

        object value;
        try
        {
            value = _parameters.Evaluate(expression);
        }
        catch (FormatException ex)
        {
            throw Error($"kwarg '{name}': {ex.Message}", "Pass the parameter when running the checkpoint, or add a default under the suite's suite_parameters.");
        }

        return value switch
        {
            double d => JsonValue.Create(d),
            bool b => JsonValue.Create(b),
            string s => JsonValue.Create(s),
            DateTimeOffset t => JsonValue.Create(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
            _ => throw Error($"kwarg '{name}': $PARAMETER '{expression}' is a duration, not a value; add it to an instant."),
        };
    }
}
