using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RhythmFlow.Quality.Suites;

/// <summary>
/// Values for GX suite parameters (<c>{"$PARAMETER": "..."}</c> in kwargs). A parameter may be a small expression
/// over named values: numbers, instants, <c>now()</c>, <c>timedelta(hours=2)</c>, <c>+ - * /</c> and parentheses,
/// the subset of GX's suite-parameter expressions the suites need (for example <c>interval_end - timedelta(hours=3)</c>).
/// </summary>
public sealed class SuiteParameters
{
    private readonly Dictionary<string, object> _values;

    public SuiteParameters(IReadOnlyDictionary<string, object> values) =>
        _values = new Dictionary<string, object>(values, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, object> Values => _values;

    /// <summary>These parameters, with the suite's own defaults (its <c>suite_parameters</c>) underneath.</summary>
    public SuiteParameters WithDefaults(JsonObject defaults)
    {
        var merged = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, node) in defaults)
        {
            if (node is JsonValue value && ToScalar(value) is { } scalar)
            {
                merged[name] = scalar;
            }
        }

        foreach (var (name, value) in _values)
        {
            merged[name] = value;
        }

        return new SuiteParameters(merged);
    }

    /// <summary>True when <paramref name="node"/> is a <c>{"$PARAMETER": expr}</c> reference.</summary>
    public static bool IsReference(JsonNode? node, out string expression)
    {
        if (node is JsonObject { Count: 1 } obj && obj["$PARAMETER"] is JsonValue v && v.TryGetValue<string>(out var e))
        {
            expression = e;
            return true;
        }

        expression = string.Empty;
        return false;
    }

    /// <summary>Evaluates an expression; throws <see cref="FormatException"/> naming the problem.</summary>
    public object Evaluate(string expression) => new Parser(expression, _values).ParseAll();

    /// <summary>A JSON scalar as the CLR value the validator binds: double, bool, string (or an instant string).</summary>
    public static object? ToScalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => value.GetValue<double>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => value.GetValue<string>(),
        _ => null,
    };

    private sealed class Parser(string text, IReadOnlyDictionary<string, object> values)
    {
        private int _pos;

        public object ParseAll()
        {
            var result = ParseSum();
            SkipSpace();
            return _pos == text.Length ? result : throw Error($"unexpected '{text[_pos..]}'");
        }

        private object ParseSum()
        {
            var left = ParseProduct();
            while (TryConsume('+') is var plus && (plus || TryConsume('-')))
            {
                var right = ParseProduct();
                left = (plus, left, right) switch
                {
                    (true, double a, double b) => a + b,
                    (false, double a, double b) => a - b,
                    (true, DateTimeOffset t, TimeSpan d) => t + d,
                    (false, DateTimeOffset t, TimeSpan d) => t - d,
                    (true, TimeSpan a, TimeSpan b) => a + b,
                    (false, TimeSpan a, TimeSpan b) => a - b,
                    (false, DateTimeOffset a, DateTimeOffset b) => a - b,
                    _ => throw Error($"cannot {(plus ? "add" : "subtract")} {Describe(right)} {(plus ? "to" : "from")} {Describe(left)}"),
                };
            }

            return left;
        }

        private object ParseProduct()
        {
            var left = ParseFactor();
            while (TryConsume('*') is var times && (times || TryConsume('/')))
            {
                var right = ParseFactor();
                left = (times, left, right) switch
                {
                    (true, double a, double b) => a * b,
                    (false, double a, double b) => a / b,
                    (true, TimeSpan d, double n) => d * n,
                    (true, double n, TimeSpan d) => d * n,
                    _ => throw Error($"cannot {(times ? "multiply" : "divide")} {Describe(left)} by {Describe(right)}"),
                };
            }

            return left;
        }

        private object ParseFactor()
        {
            SkipSpace();
            if (TryConsume('('))
            {
                var inner = ParseSum();
                return TryConsume(')') ? inner : throw Error("missing ')'");
            }

            if (TryConsume('-'))
            {
                return ParseFactor() switch
                {
                    double d => -d,
                    TimeSpan t => -t,
                    var other => throw Error($"cannot negate {Describe(other)}"),
                };
            }

            if (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.'))
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E'))
                {
                    _pos++;
                }

                return double.Parse(text.AsSpan(start, _pos - start), CultureInfo.InvariantCulture);
            }

            var name = ReadName();
            if (name.Length == 0)
            {
                throw Error("expected a number, a parameter name, now() or timedelta(...)");
            }

            if (TryConsume('('))
            {
                return name switch
                {
                    "now" => TryConsume(')') ? Lookup("now") : throw Error("now() takes no arguments"),
                    "timedelta" => ParseTimedelta(),
                    _ => throw Error($"unknown function '{name}'; use now() or timedelta(...)"),
                };
            }

            return Lookup(name);
        }

        private TimeSpan ParseTimedelta()
        {
            var total = TimeSpan.Zero;
            do
            {
                SkipSpace();
                var unit = ReadName();
                if (!TryConsume('=') || ParseSum() is not double amount)
                {
                    throw Error("timedelta takes unit=number arguments, e.g. timedelta(hours=3)");
                }

                total += unit switch
                {
                    "days" => TimeSpan.FromDays(amount),
                    "hours" => TimeSpan.FromHours(amount),
                    "minutes" => TimeSpan.FromMinutes(amount),
                    "seconds" => TimeSpan.FromSeconds(amount),
                    _ => throw Error($"unknown timedelta unit '{unit}'; use days, hours, minutes or seconds"),
                };
            }
            while (TryConsume(','));

            return TryConsume(')') ? total : throw Error("missing ')' after timedelta arguments");
        }

        private object Lookup(string name) =>
            values.TryGetValue(name, out var value)
                ? value is string s && TryParseInstant(s, out var instant) ? instant : value
                : throw Error($"no value for parameter '{name}' (known: {string.Join(", ", values.Keys.Order(StringComparer.Ordinal))})");

        private static bool TryParseInstant(string s, out DateTimeOffset instant) =>
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);

        private string ReadName()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private static string Describe(object value) => value switch
        {
            double => "a number",
            DateTimeOffset => "an instant",
            TimeSpan => "a duration",
            _ => "a " + value.GetType().Name,
        };

        private FormatException Error(string problem) => new($"$PARAMETER '{text}': {problem}.");
    }
}
