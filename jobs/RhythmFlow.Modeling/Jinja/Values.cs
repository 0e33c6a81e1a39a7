using System.Collections;
using System.Globalization;

namespace RhythmFlow.Modeling.Jinja;

/// <summary>Arguments of a call from a template, with where it was made (for error messages).</summary>
public sealed record JinjaCall(IReadOnlyList<object?> Args, IReadOnlyDictionary<string, object?> Kwargs, RenderState State, int Line)
{
    public object? Arg(int index, string name, object? fallback = null, bool required = false)
    {
        if (index < Args.Count)
        {
            return Args[index];
        }

        if (Kwargs.TryGetValue(name, out var value))
        {
            return value;
        }

        return required ? throw Error($"missing argument '{name}'") : fallback;
    }

    public string RequireString(int index, string name) =>
        Arg(index, name, required: true) as string ?? throw Error($"argument '{name}' must be a string");

    public JinjaException Error(string message, string? hint = null) => new(State.File, Line, message, hint);
}

/// <summary>A function a template can call: a builtin (ref, config, dbt.hash...) or a macro.</summary>
public interface IJinjaCallable
{
    object? Invoke(JinjaCall call);
}

/// <summary>An object whose attributes a template reads (target, adapter, dbt, loop, a relation).</summary>
public interface IJinjaObject
{
    bool TryGetAttribute(string name, out object? value);
}

public sealed class JinjaFunction(Func<JinjaCall, object?> body) : IJinjaCallable
{
    public object? Invoke(JinjaCall call) => body(call);
}

/// <summary>A namespace of functions and values, such as <c>dbt</c> or <c>adapter</c>.</summary>
public sealed class JinjaNamespace(IReadOnlyDictionary<string, object?> members) : IJinjaObject
{
    public bool TryGetAttribute(string name, out object? value) => members.TryGetValue(name, out value);
}

/// <summary>Python-like truthiness, equality, and string conversion of template values.</summary>
public static class JinjaValues
{
    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    public static string ToText(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        IDictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(kv => $"{Repr(kv.Key)}: {Repr(kv.Value)}")) + "}",
        IEnumerable<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    public static string Repr(object? value) => value is string s ? "'" + s.Replace("'", "\\'", StringComparison.Ordinal) + "'" : ToText(value);

    public static new bool Equals(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (IList<object?> a, IList<object?> b) => a.Count == b.Count && a.Zip(b).All(p => Equals(p.First, p.Second)),
        _ => left.Equals(right),
    };

    public static double ToNumber(object? value, JinjaCall? call = null) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw (Exception?)call?.Error($"'{ToText(value)}' is not a number") ?? new InvalidOperationException($"'{ToText(value)}' is not a number"),
    };

    private static string FormatDouble(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>Converts YAML/JSON-ish CLR values into the template's value types.</summary>
    public static object? FromClr(object? value) => value switch
    {
        null or string or bool or long or double or IJinjaObject or IJinjaCallable => value,
        int i => (long)i,
        float f => (double)f,
        decimal m => (double)m,
        IDictionary<string, object?> dict => dict.ToDictionary(kv => kv.Key, kv => FromClr(kv.Value), StringComparer.Ordinal),
        IDictionary dict => dict.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? string.Empty, k => FromClr(dict[k]), StringComparer.Ordinal),
        IEnumerable enumerable => enumerable.Cast<object?>().Select(FromClr).ToList(),
        _ => value,
    };

    internal static string Join(IEnumerable<object?> items, string separator) => string.Join(separator, items.Select(ToText));
}
