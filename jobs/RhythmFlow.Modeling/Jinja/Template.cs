using System.Text;

namespace RhythmFlow.Modeling.Jinja;

/// <summary>
/// A parsed template of the Jinja subset dbt projects use: text, <c>{{ expr }}</c>, <c>{# comments #}</c>,
/// whitespace control with <c>-</c>, and the tags if/elif/else, for, set, do, macro and test. Any other tag is an
/// error naming the file, the line and the tag, never passed through.
/// </summary>
public sealed class Template
{
    private Template(string file, IReadOnlyList<Node> body)
    {
        File = file;
        Body = body;
    }

    public string File { get; }

    internal IReadOnlyList<Node> Body { get; }

    /// <summary>The macros (and <c>{% test %}</c> blocks, as <c>test_&lt;name&gt;</c>) the template defines at its top level.</summary>
    internal IEnumerable<MacroNode> Macros => Body.OfType<MacroNode>();

    public static Template Parse(string source, string file) => new(file, new TemplateParser(source, file).ParseAll());

    /// <summary>Renders the template with the given names in scope.</summary>
    public string Render(IReadOnlyDictionary<string, object?> globals)
    {
        var state = new RenderState(File, globals);
        var output = new StringBuilder();
        state.RenderNodes(Body, output);
        return output.ToString();
    }
}

internal abstract record Node(int Line);

internal sealed record TextNode(string Text, int Line) : Node(Line);

internal sealed record OutputNode(Expr Value, int Line) : Node(Line);

internal sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node>? Else, int Line) : Node(Line);

internal sealed record ForNode(IReadOnlyList<string> Targets, Expr Iterable, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else, int Line) : Node(Line);

internal sealed record SetNode(string Name, Expr Value, int Line) : Node(Line);

internal sealed record DoNode(Expr Value, int Line) : Node(Line);

/// <summary>A <c>{% macro %}</c> (or <c>{% test %}</c>) definition.</summary>
internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, object? DefaultExpr)> Parameters, string File, int Line) : Node(Line)
{
    internal IReadOnlyList<Node> Body { get; init; } = [];

    internal Expr? DefaultOf(int index) => Parameters[index].DefaultExpr as Expr;
}

internal sealed class TemplateParser(string source, string file)
{
    private readonly List<(string Kind, string Content, int Line)> _pieces = Split(source, file);
    private int _position;

    public List<Node> ParseAll()
    {
        var nodes = ParseUntil(out var end);
        if (end is not null)
        {
            throw new JinjaException(file, end.Value.Line, $"unexpected '{{% {end.Value.Tag} %}}'");
        }

        return nodes;
    }

    private List<Node> ParseUntil(out (string Tag, string Args, int Line)? end, params string[] terminators)
    {
        var nodes = new List<Node>();
        while (_position < _pieces.Count)
        {
            var (kind, content, line) = _pieces[_position++];
            switch (kind)
            {
                case "text":
                    nodes.Add(new TextNode(content, line));
                    break;
                case "output":
                    var parser = new ExpressionParser(content, file, line);
                    var expr = parser.ParseExpression();
                    parser.ExpectEnd();
                    nodes.Add(new OutputNode(expr, line));
                    break;
                default:
                    var trimmed = content.Trim();
                    var space = trimmed.IndexOfAny([' ', '\t', '\n', '\r']);
                    var tag = space < 0 ? trimmed : trimmed[..space];
                    var rest = space < 0 ? string.Empty : trimmed[(space + 1)..];
                    if (terminators.Contains(tag))
                    {
                        end = (tag, rest, line);
                        return nodes;
                    }

                    nodes.Add(ParseTag(tag, rest, line));
                    break;
            }
        }

        if (terminators.Length > 0)
        {
            throw new JinjaException(file, _pieces.Count > 0 ? _pieces[^1].Line : 1, $"missing '{{% {terminators[^1]} %}}'");
        }

        end = null;
        return nodes;
    }

    private Node ParseTag(string tag, string rest, int line)
    {
        var parser = new ExpressionParser(rest, file, line);
        switch (tag)
        {
            case "if":
                var branches = new List<(Expr, IReadOnlyList<Node>)>();
                var condition = Finish(parser, parser.ParseExpression());
                IReadOnlyList<Node>? elseBody = null;
                while (true)
                {
                    var body = ParseUntil(out var end, "elif", "else", "endif");
                    branches.Add((condition, body));
                    if (end!.Value.Tag == "elif")
                    {
                        var elifParser = new ExpressionParser(end.Value.Args, file, end.Value.Line);
                        condition = Finish(elifParser, elifParser.ParseExpression());
                        continue;
                    }

                    if (end.Value.Tag == "else")
                    {
                        elseBody = ParseUntil(out _, "endif");
                    }

                    return new IfNode(branches, elseBody, line);
                }

            case "for":
                var targets = new List<string> { parser.ExpectName() };
                while (parser.TryOperator(","))
                {
                    targets.Add(parser.ExpectName());
                }

                if (!parser.IsName("in"))
                {
                    throw parser.Error("expected 'in' in the for tag");
                }

                parser.ExpectName();
                var iterable = Finish(parser, parser.ParseExpression());
                var loopBody = ParseUntil(out var loopEnd, "else", "endfor");
                var loopElse = loopEnd!.Value.Tag == "else" ? ParseUntil(out _, "endfor") : null;
                return new ForNode(targets, iterable, loopBody, loopElse, line);

            case "set":
                var name = parser.ExpectName();
                if (!parser.TryOperator("="))
                {
                    throw parser.Error("only '{% set name = expression %}' is supported (no block set, no multiple targets)");
                }

                return new SetNode(name, Finish(parser, parser.ParseExpression()), line);

            case "do":
                return new DoNode(Finish(parser, parser.ParseExpression()), line);

            case "macro" or "test":
                var macroName = parser.ExpectName();
                parser.Expect("(");
                var parameters = new List<(string, object?)>();
                while (!parser.TryOperator(")"))
                {
                    var parameter = parser.ExpectName();
                    object? fallback = parser.TryOperator("=") ? parser.ParseExpression() : null;
                    parameters.Add((parameter, fallback));
                    if (!parser.TryOperator(","))
                    {
                        parser.Expect(")");
                        break;
                    }
                }

                parser.ExpectEnd();
                var macroBody = ParseUntil(out _, "end" + tag);
                return new MacroNode(tag == "test" ? "test_" + macroName : macroName, parameters, file, line) { Body = macroBody };

            default:
                throw new JinjaException(file, line, $"unsupported Jinja tag '{{% {tag} %}}'");
        }
    }

    private static Expr Finish(ExpressionParser parser, Expr expr)
    {
        parser.ExpectEnd();
        return expr;
    }

    /// <summary>Splits the source into text, output, tag and comment pieces, applying '-' whitespace control.</summary>
    private static List<(string Kind, string Content, int Line)> Split(string source, string file)
    {
        var pieces = new List<(string, string, int)>();
        var line = 1;
        var i = 0;
        var trimNext = false;
        while (i < source.Length)
        {
            var open = source.IndexOf('{', i);
            while (open >= 0 && open + 1 < source.Length && source[open + 1] is not ('{' or '%' or '#'))
            {
                open = source.IndexOf('{', open + 1);
            }

            if (open < 0 || open + 1 >= source.Length)
            {
                AddText(source[i..], trimNext, false);
                break;
            }

            var kindChar = source[open + 1];
            var trimBefore = open + 2 < source.Length && source[open + 2] == '-';
            AddText(source[i..open], trimNext, trimBefore);
            var close = kindChar switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var contentStart = open + 2 + (trimBefore ? 1 : 0);
            var closeAt = source.IndexOf(close, contentStart, StringComparison.Ordinal);
            if (closeAt < 0)
            {
                throw new JinjaException(file, line, $"'{source.Substring(open, 2)}' is never closed with '{close}'");
            }

            trimNext = closeAt > contentStart && source[closeAt - 1] == '-';
            var content = source[contentStart..(trimNext ? closeAt - 1 : closeAt)];
            if (kindChar != '#')
            {
                pieces.Add((kindChar == '{' ? "output" : "tag", content, line));
            }

            line += CountLines(source, open, closeAt + 2);
            i = closeAt + 2;
        }

        return pieces;

        void AddText(string text, bool trimStart, bool trimEnd)
        {
            var startLine = line;
            line += CountLines(text, 0, text.Length);
            if (trimStart)
            {
                text = text.TrimStart();
            }

            if (trimEnd)
            {
                text = text.TrimEnd();
            }

            if (text.Length > 0)
            {
                pieces.Add(("text", text, startLine));
            }
        }
    }

    private static int CountLines(string text, int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            if (text[i] == '\n')
            {
                count++;
            }
        }

        return count;
    }
}
