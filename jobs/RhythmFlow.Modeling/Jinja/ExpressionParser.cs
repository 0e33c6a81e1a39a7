using System.Globalization;
using System.Text;

namespace RhythmFlow.Modeling.Jinja;

internal enum TokenKind
{
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text);

/// <summary>Parses one Jinja expression (the inside of <c>{{ }}</c> or a tag's arguments) into an <see cref="Expr"/> tree.</summary>
internal sealed class ExpressionParser
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "//", "**", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "~", "+", "-", "*", "/", "%", "<", ">", "="];

    private readonly List<Token> _tokens;
    private readonly string _file;
    private readonly int _line;
    private int _position;

    public ExpressionParser(string text, string file, int line)
    {
        _file = file;
        _line = line;
        _tokens = Tokenize(text, file, line);
    }

    public Token Peek => _tokens[_position];

    public bool AtEnd => Peek.Kind == TokenKind.End;

    public Expr ParseExpression()
    {
        var value = ParseOr();
        if (IsName("if"))
        {
            _position++;
            var condition = ParseOr();
            Expr? otherwise = null;
            if (IsName("else"))
            {
                _position++;
                otherwise = ParseExpression();
            }

            return new ConditionalExpr(condition, value, otherwise, _line);
        }

        return value;
    }

    public string ExpectName()
    {
        var token = Next();
        return token.Kind == TokenKind.Name ? token.Text : throw Error($"expected a name, found '{token.Text}'");
    }

    public void Expect(string op)
    {
        var token = Next();
        if (token.Kind != TokenKind.Operator || token.Text != op)
        {
            throw Error($"expected '{op}', found '{(token.Kind == TokenKind.End ? "end of expression" : token.Text)}'");
        }
    }

    public bool TryOperator(string op)
    {
        if (Peek.Kind == TokenKind.Operator && Peek.Text == op)
        {
            _position++;
            return true;
        }

        return false;
    }

    public bool IsName(string name) => Peek.Kind == TokenKind.Name && Peek.Text == name;

    public void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw Error($"unexpected '{Peek.Text}'");
        }
    }

    public JinjaException Error(string message) => new(_file, _line, message);

    private Token Next() => _tokens[_position < _tokens.Count - 1 ? _position++ : _position];

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (IsName("or"))
        {
            _position++;
            left = new BinaryExpr("or", left, ParseAnd(), _line);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and"))
        {
            _position++;
            left = new BinaryExpr("and", left, ParseNot(), _line);
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (IsName("not"))
        {
            _position++;
            return new NotExpr(ParseNot(), _line);
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var left = ParseConcat();
        while (true)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = Next().Text;
                left = new BinaryExpr(op, left, ParseConcat(), _line);
            }
            else if (IsName("in"))
            {
                _position++;
                left = new BinaryExpr("in", left, ParseConcat(), _line);
            }
            else if (IsName("not") && _tokens[_position + 1] is { Kind: TokenKind.Name, Text: "in" })
            {
                _position += 2;
                left = new NotExpr(new BinaryExpr("in", left, ParseConcat(), _line), _line);
            }
            else if (IsName("is"))
            {
                _position++;
                var negate = false;
                if (IsName("not"))
                {
                    _position++;
                    negate = true;
                }

                var test = ExpectName();
                Expr result = new IsTestExpr(left, test, _line);
                left = negate ? new NotExpr(result, _line) : result;
            }
            else
            {
                return left;
            }
        }
    }

    private Expr ParseConcat()
    {
        var left = ParseAdditive();
        while (TryOperator("~"))
        {
            left = new BinaryExpr("~", left, ParseAdditive(), _line);
        }

        return left;
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var op = Next().Text;
            left = new BinaryExpr(op, left, ParseMultiplicative(), _line);
        }

        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "//" or "%")
        {
            var op = Next().Text;
            left = new BinaryExpr(op, left, ParseUnary(), _line);
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (TryOperator("-"))
        {
            return new BinaryExpr("-", new LiteralExpr(0L, _line), ParseUnary(), _line);
        }

        if (Peek.Kind == TokenKind.Operator && Peek.Text == "**")
        {
            throw Error("the power operator '**' is not supported");
        }

        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParseFilters(Expr value)
    {
        while (TryOperator("|"))
        {
            var name = ExpectName();
            var (args, kwargs) = TryOperator("(") ? ParseArguments() : ([], []);
            value = new FilterExpr(value, name, args, kwargs, _line);
        }

        return value;
    }

    private Expr ParsePostfix(Expr value)
    {
        while (true)
        {
            if (TryOperator("."))
            {
                value = new AttributeExpr(value, ExpectName(), _line);
            }
            else if (TryOperator("["))
            {
                var index = ParseExpression();
                Expect("]");
                value = new IndexExpr(value, index, _line);
            }
            else if (TryOperator("("))
            {
                var (args, kwargs) = ParseArguments();
                value = new CallExpr(value, args, kwargs, _line);
            }
            else
            {
                return value;
            }
        }
    }

    private (List<Expr> Args, List<KeyValuePair<string, Expr>> Kwargs) ParseArguments()
    {
        var args = new List<Expr>();
        var kwargs = new List<KeyValuePair<string, Expr>>();
        while (!TryOperator(")"))
        {
            if (Peek.Kind == TokenKind.Name && _tokens[_position + 1] is { Kind: TokenKind.Operator, Text: "=" })
            {
                var name = Next().Text;
                _position++;
                kwargs.Add(new(name, ParseExpression()));
            }
            else if (kwargs.Count > 0)
            {
                throw Error("a positional argument follows a keyword argument");
            }
            else
            {
                args.Add(ParseExpression());
            }

            if (!TryOperator(","))
            {
                Expect(")");
                break;
            }
        }

        return (args, kwargs);
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.String:
                return new LiteralExpr(token.Text, _line);
            case TokenKind.Integer:
                return new LiteralExpr(long.Parse(token.Text, CultureInfo.InvariantCulture), _line);
            case TokenKind.Float:
                return new LiteralExpr(double.Parse(token.Text, CultureInfo.InvariantCulture), _line);
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpr(true, _line),
                    "false" or "False" => new LiteralExpr(false, _line),
                    "none" or "None" => new LiteralExpr(null, _line),
                    _ => new NameExpr(token.Text, _line),
                };
            case TokenKind.Operator when token.Text == "(":
                var inner = ParseExpression();
                if (Peek.Text == ",")
                {
                    throw Error("tuples are not supported; use a list [a, b]");
                }

                Expect(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                var items = new List<Expr>();
                while (!TryOperator("]"))
                {
                    items.Add(ParseExpression());
                    if (!TryOperator(","))
                    {
                        Expect("]");
                        break;
                    }
                }

                return new ListExpr(items, _line);
            case TokenKind.Operator when token.Text == "{":
                var entries = new List<KeyValuePair<Expr, Expr>>();
                while (!TryOperator("}"))
                {
                    var key = ParseExpression();
                    Expect(":");
                    entries.Add(new(key, ParseExpression()));
                    if (!TryOperator(","))
                    {
                        Expect("}");
                        break;
                    }
                }

                return new DictExpr(entries, _line);
            case TokenKind.End:
                throw Error("unexpected end of expression");
            default:
                throw Error($"unexpected '{token.Text}'");
        }
    }

    private static List<Token> Tokenize(string text, string file, int line)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var builder = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                        builder.Append(text[i] switch { 'n' => '\n', 't' => '\t', var other => other });
                    }
                    else
                    {
                        builder.Append(text[i]);
                    }

                    i++;
                }

                if (i >= text.Length)
                {
                    throw new JinjaException(file, line, "unterminated string literal");
                }

                i++;
                tokens.Add(new(TokenKind.String, builder.ToString()));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var isFloat = i + 1 < text.Length && text[i] == '.' && char.IsDigit(text[i + 1]);
                if (isFloat)
                {
                    i++;
                    while (i < text.Length && char.IsDigit(text[i]))
                    {
                        i++;
                    }
                }

                tokens.Add(new(isFloat ? TokenKind.Float : TokenKind.Integer, text[start..i].Replace("_", string.Empty, StringComparison.Ordinal)));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new(TokenKind.Name, text[start..i]));
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                    ?? throw new JinjaException(file, line, $"unexpected character '{c}' in expression");
                tokens.Add(new(TokenKind.Operator, op));
                i += op.Length;
            }
        }

        tokens.Add(new(TokenKind.End, string.Empty));
        return tokens;
    }
}
