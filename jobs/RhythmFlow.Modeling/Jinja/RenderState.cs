using System.Text;

namespace RhythmFlow.Modeling.Jinja;

/// <summary>Thrown by <c>return()</c> inside a macro to hand a value back to its caller.</summary>
internal sealed class MacroReturn(object? value) : Exception
{
    public object? Value { get; } = value;
}

/// <summary>The scopes and file of one rendering: globals, then one frame per macro call or loop.</summary>
public sealed class RenderState
{
    private readonly IReadOnlyDictionary<string, object?> _globals;
    private readonly List<Dictionary<string, object?>> _frames = [new(StringComparer.Ordinal)];

    internal RenderState(string file, IReadOnlyDictionary<string, object?> globals)
    {
        File = file;
        _globals = globals;
    }

    public string File { get; }

    public bool TryLookup(string name, out object? value)
    {
        for (var i = _frames.Count - 1; i >= 0; i--)
        {
            if (_frames[i].TryGetValue(name, out value))
            {
                return true;
            }
        }

        if (_globals.TryGetValue(name, out value))
        {
            return true;
        }

        value = name == "return" ? Return : null;
        return value is not null;
    }

    /// <summary>dbt's <c>return()</c>: ends the macro and hands its argument to the caller.</summary>
    private static readonly JinjaFunction Return = new(call => throw new MacroReturn(call.Arg(0, "value")));

    internal void RenderNodes(IReadOnlyList<Node> nodes, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case OutputNode o:
                    output.Append(JinjaValues.ToText(o.Value.Evaluate(this)));
                    break;
                case IfNode i:
                    var branch = i.Branches.FirstOrDefault(b => JinjaValues.IsTruthy(b.Condition.Evaluate(this)));
                    if (branch.Body is not null)
                    {
                        RenderNodes(branch.Body, output);
                    }
                    else if (i.Else is not null)
                    {
                        RenderNodes(i.Else, output);
                    }

                    break;
                case ForNode f:
                    RenderFor(f, output);
                    break;
                case SetNode s:
                    _frames[^1][s.Name] = s.Value.Evaluate(this);
                    break;
                case DoNode d:
                    d.Value.Evaluate(this);
                    break;
                case MacroNode m:
                    _frames[^1][m.Name] = new Macro(m, _globals);
                    break;
            }
        }
    }

    private void RenderFor(ForNode node, StringBuilder output)
    {
        var items = node.Iterable.Evaluate(this) switch
        {
            IDictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
            IEnumerable<object?> list => list.ToList(),
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            var other => throw new JinjaException(File, node.Line, $"cannot loop over {JinjaValues.Repr(other)}"),
        };
        if (items.Count == 0)
        {
            if (node.Else is not null)
            {
                RenderNodes(node.Else, output);
            }

            return;
        }

        // A loop body's assignments stay inside the loop, as in Jinja.
        var frame = new Dictionary<string, object?>(StringComparer.Ordinal);
        _frames.Add(frame);
        try
        {
            for (var index = 0; index < items.Count; index++)
            {
                if (node.Targets.Count == 1)
                {
                    frame[node.Targets[0]] = items[index];
                }
                else if (items[index] is IList<object?> parts && parts.Count == node.Targets.Count)
                {
                    for (var t = 0; t < parts.Count; t++)
                    {
                        frame[node.Targets[t]] = parts[t];
                    }
                }
                else
                {
                    throw new JinjaException(File, node.Line, $"cannot unpack {JinjaValues.Repr(items[index])} into {node.Targets.Count} names");
                }

                frame["loop"] = new JinjaNamespace(new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["index"] = (long)index + 1,
                    ["index0"] = (long)index,
                    ["first"] = index == 0,
                    ["last"] = index == items.Count - 1,
                    ["length"] = (long)items.Count,
                });
                RenderNodes(node.Body, output);
            }
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    /// <summary>A callable macro: renders its body in a fresh frame, or hands back what it <c>return()</c>s.</summary>
    internal sealed class Macro(MacroNode node, IReadOnlyDictionary<string, object?> globals) : IJinjaCallable
    {
        public MacroNode Node { get; } = node;

        public object? Invoke(JinjaCall call)
        {
            var state = new RenderState(Node.File, globals);
            var frame = state._frames[0];
            if (call.Args.Count > Node.Parameters.Count)
            {
                throw call.Error($"macro '{Node.Name}' takes {Node.Parameters.Count} arguments, got {call.Args.Count}");
            }

            foreach (var key in call.Kwargs.Keys.Where(k => Node.Parameters.All(p => p.Name != k)))
            {
                throw call.Error($"macro '{Node.Name}' has no parameter '{key}'");
            }

            for (var i = 0; i < Node.Parameters.Count; i++)
            {
                var name = Node.Parameters[i].Name;
                frame[name] = i < call.Args.Count ? call.Args[i]
                    : call.Kwargs.TryGetValue(name, out var value) ? value
                    : Node.DefaultOf(i) is { } fallback ? fallback.Evaluate(state)
                    : throw call.Error($"macro '{Node.Name}' is missing argument '{name}'");
            }

            var output = new StringBuilder();
            try
            {
                state.RenderNodes(Node.Body, output);
            }
            catch (MacroReturn returned)
            {
                return returned.Value;
            }

            return output.ToString();
        }
    }
}
