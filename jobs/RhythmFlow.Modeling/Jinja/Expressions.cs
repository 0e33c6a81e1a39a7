using System.Globalization;

namespace RhythmFlow.Modeling.Jinja;

/// <summary>A parsed Jinja expression.</summary>
internal abstract record Expr(int Line)
{
    public abstract object? Evaluate(RenderState state);
}

internal sealed record LiteralExpr(object? Value, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) => Value;
}

internal sealed record NameExpr(string Name, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) =>
        state.TryLookup(Name, out var value)
            ? value
            : throw new JinjaException(state.File, Line, $"'{Name}' is undefined", "Check the spelling; only the names listed in docs/dbt.md exist in templates.");
}

internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) => Items.Select(i => i.Evaluate(state)).ToList();
}

internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Entries, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) =>
        Entries.ToDictionary(e => JinjaValues.ToText(e.Key.Evaluate(state)), e => e.Value.Evaluate(state), StringComparer.Ordinal);
}

internal sealed record NotExpr(Expr Operand, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) => !JinjaValues.IsTruthy(Operand.Evaluate(state));
}

internal sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Otherwise, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state) =>
        JinjaValues.IsTruthy(Condition.Evaluate(state)) ? Then.Evaluate(state) : Otherwise?.Evaluate(state);
}

internal sealed record IsTestExpr(Expr Operand, string Test, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        if (Test is "defined" or "undefined")
        {
            var defined = Operand is not NameExpr name || state.TryLookup(name.Name, out _);
            return Test == "defined" ? defined : !defined;
        }

        var value = Operand.Evaluate(state);
        return Test switch
        {
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double,
            "mapping" => value is IDictionary<string, object?>,
            "sequence" or "iterable" => value is IList<object?> or string,
            "true" => value is true,
            "false" => value is false,
            _ => throw new JinjaException(state.File, Line, $"unsupported test 'is {Test}'"),
        };
    }
}

internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        if (Op == "and")
        {
            var left = Left.Evaluate(state);
            return JinjaValues.IsTruthy(left) ? Right.Evaluate(state) : left;
        }

        if (Op == "or")
        {
            var left = Left.Evaluate(state);
            return JinjaValues.IsTruthy(left) ? left : Right.Evaluate(state);
        }

        var a = Left.Evaluate(state);
        var b = Right.Evaluate(state);
        return Op switch
        {
            "~" => JinjaValues.ToText(a) + JinjaValues.ToText(b),
            "==" => JinjaValues.Equals(a, b),
            "!=" => !JinjaValues.Equals(a, b),
            "in" => Contains(b, a, state),
            "<" or ">" or "<=" or ">=" => Compare(a, b, state) switch
            {
                var c when Op == "<" => c < 0,
                var c when Op == ">" => c > 0,
                var c when Op == "<=" => c <= 0,
                var c => c >= 0,
            },
            "+" when a is string sa && b is string sb => sa + sb,
            "+" when a is IList<object?> la && b is IList<object?> lb => la.Concat(lb).ToList(),
            _ => Arithmetic(a, b, state),
        };
    }

    private bool Contains(object? container, object? item, RenderState state) => container switch
    {
        string s => s.Contains(JinjaValues.ToText(item), StringComparison.Ordinal),
        IDictionary<string, object?> d => d.ContainsKey(JinjaValues.ToText(item)),
        IEnumerable<object?> list => list.Any(x => JinjaValues.Equals(x, item)),
        _ => throw new JinjaException(state.File, Line, $"'in' needs a string, list or mapping, not {JinjaValues.Repr(container)}"),
    };

    private int Compare(object? a, object? b, RenderState state) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long or double, long or double) => JinjaValues.ToNumber(a).CompareTo(JinjaValues.ToNumber(b)),
        _ => throw new JinjaException(state.File, Line, $"cannot compare {JinjaValues.Repr(a)} with {JinjaValues.Repr(b)}"),
    };

    private object Arithmetic(object? a, object? b, RenderState state)
    {
        if (a is not (long or double) || b is not (long or double))
        {
            throw new JinjaException(state.File, Line, $"operator '{Op}' needs numbers, not {JinjaValues.Repr(a)} and {JinjaValues.Repr(b)}");
        }

        if (a is long x && b is long y && Op != "/")
        {
            return Op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => y == 0 ? throw DivideByZero(state) : (long)Math.Floor((double)x / y),
                _ => y == 0 ? throw DivideByZero(state) : ((x % y) + y) % y,
            };
        }

        var p = JinjaValues.ToNumber(a);
        var q = JinjaValues.ToNumber(b);
        return Op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => q == 0 ? throw DivideByZero(state) : p / q,
            "//" => q == 0 ? throw DivideByZero(state) : Math.Floor(p / q),
            _ => q == 0 ? throw DivideByZero(state) : p - (q * Math.Floor(p / q)),
        };
    }

    private JinjaException DivideByZero(RenderState state) => new(state.File, Line, "division by zero");
}

internal sealed record AttributeExpr(Expr Target, string Name, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        var target = Target.Evaluate(state);
        if (target is IJinjaObject obj && obj.TryGetAttribute(Name, out var value))
        {
            return value;
        }

        if (target is IDictionary<string, object?> dict && dict.TryGetValue(Name, out var entry))
        {
            return entry;
        }

        if (Methods.TryBind(target, Name) is { } method)
        {
            return method;
        }

        throw new JinjaException(state.File, Line, $"{Describe(Target)} has no attribute '{Name}'");
    }

    private static string Describe(Expr expr) => expr switch
    {
        NameExpr n => $"'{n.Name}'",
        AttributeExpr a => $"'{Describe(a.Target).Trim('\'')}.{a.Name}'",
        _ => "the value",
    };
}

internal sealed record IndexExpr(Expr Target, Expr Index, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        var target = Target.Evaluate(state);
        var index = Index.Evaluate(state);
        return (target, index) switch
        {
            (IDictionary<string, object?> d, _) when d.TryGetValue(JinjaValues.ToText(index), out var v) => v,
            (IList<object?> l, long i) when i < l.Count && i >= -l.Count => l[(int)(i < 0 ? l.Count + i : i)],
            (string s, long i) when i < s.Length && i >= -s.Length => s[(int)(i < 0 ? s.Length + i : i)].ToString(),
            (IJinjaObject o, string name) when o.TryGetAttribute(name, out var v) => v,
            _ => throw new JinjaException(state.File, Line, $"no item {JinjaValues.Repr(index)} in {JinjaValues.Repr(target)}"),
        };
    }
}

internal sealed record CallExpr(Expr Target, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        var target = Target.Evaluate(state);
        if (target is not IJinjaCallable callable)
        {
            var name = Target is NameExpr n ? n.Name : Target is AttributeExpr a ? a.Name : "the value";
            throw new JinjaException(state.File, Line, $"'{name}' is not callable");
        }

        var args = Args.Select(a => a.Evaluate(state)).ToList();
        var kwargs = Kwargs.ToDictionary(k => k.Key, k => k.Value.Evaluate(state), StringComparer.Ordinal);
        return callable.Invoke(new JinjaCall(args, kwargs, state, Line));
    }
}

internal sealed record FilterExpr(Expr Value, string Name, IReadOnlyList<Expr> Args, IReadOnlyList<KeyValuePair<string, Expr>> Kwargs, int Line) : Expr(Line)
{
    public override object? Evaluate(RenderState state)
    {
        var value = Value.Evaluate(state);
        var args = Args.Select(a => a.Evaluate(state)).ToList();
        var call = new JinjaCall(args, Kwargs.ToDictionary(k => k.Key, k => k.Value.Evaluate(state), StringComparer.Ordinal), state, Line);
        return Name switch
        {
            "trim" => JinjaValues.ToText(value).Trim(),
            "lower" => JinjaValues.ToText(value).ToLowerInvariant(),
            "upper" => JinjaValues.ToText(value).ToUpperInvariant(),
            "string" => JinjaValues.ToText(value),
            "length" or "count" => value switch
            {
                string s => (long)s.Length,
                System.Collections.ICollection c => (long)c.Count,
                _ => throw call.Error($"filter 'length' needs a string or list, not {JinjaValues.Repr(value)}"),
            },
            "join" => JinjaValues.Join(AsList(value, call), call.Arg(0, "d", string.Empty) as string ?? string.Empty),
            "default" or "d" => value ?? call.Arg(0, "default_value", string.Empty),
            "replace" => JinjaValues.ToText(value).Replace(call.RequireString(0, "old"), call.RequireString(1, "new"), StringComparison.Ordinal),
            "int" => (long)Math.Truncate(JinjaValues.ToNumber(value, call)),
            "float" => JinjaValues.ToNumber(value, call),
            "as_number" => value is string s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : JinjaValues.ToNumber(value, call),
            "as_bool" => value is string b ? b.Equals("true", StringComparison.OrdinalIgnoreCase) : JinjaValues.IsTruthy(value),
            "list" => AsList(value, call).ToList(),
            _ => throw new JinjaException(state.File, Line, $"unsupported filter '| {Name}'"),
        };
    }

    private static IEnumerable<object?> AsList(object? value, JinjaCall call) => value switch
    {
        string s => s.Select(c => (object?)c.ToString()),
        IEnumerable<object?> list => list,
        _ => throw call.Error($"expected a list, not {JinjaValues.Repr(value)}"),
    };
}

/// <summary>The few Python methods the project's templates call on lists, dicts and strings.</summary>
internal static class Methods
{
    public static IJinjaCallable? TryBind(object? target, string name) => (target, name) switch
    {
        (List<object?> list, "append") => new JinjaFunction(c =>
        {
            list.Add(c.Arg(0, "item", required: true));
            return null;
        }),
        (List<object?> list, "extend") => new JinjaFunction(c =>
        {
            list.AddRange(c.Arg(0, "items", required: true) as IEnumerable<object?> ?? throw c.Error("extend() needs a list"));
            return null;
        }),
        (IDictionary<string, object?> dict, "get") => new JinjaFunction(c =>
            dict.TryGetValue(JinjaValues.ToText(c.Arg(0, "key", required: true)), out var v) ? v : c.Arg(1, "default")),
        (IDictionary<string, object?> dict, "items") => new JinjaFunction(_ =>
            dict.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList()),
        (IDictionary<string, object?> dict, "keys") => new JinjaFunction(_ => dict.Keys.Cast<object?>().ToList()),
        (IDictionary<string, object?> dict, "values") => new JinjaFunction(_ => dict.Values.ToList()),
        (string s, "lower") => new JinjaFunction(_ => s.ToLowerInvariant()),
        (string s, "upper") => new JinjaFunction(_ => s.ToUpperInvariant()),
        (string s, "strip") => new JinjaFunction(_ => s.Trim()),
        (string s, "startswith") => new JinjaFunction(c => s.StartsWith(c.RequireString(0, "prefix"), StringComparison.Ordinal)),
        (string s, "endswith") => new JinjaFunction(c => s.EndsWith(c.RequireString(0, "suffix"), StringComparison.Ordinal)),
        (string s, "replace") => new JinjaFunction(c => s.Replace(c.RequireString(0, "old"), c.RequireString(1, "new"), StringComparison.Ordinal)),
        (string s, "split") => new JinjaFunction(c => s.Split(c.Arg(0, "sep") as string ?? " ").Cast<object?>().ToList()),
        _ => null,
    };
}
