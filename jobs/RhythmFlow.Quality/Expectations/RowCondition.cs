using System.Globalization;
using System.Text.RegularExpressions;
using RhythmFlow.Quality.Sql;

namespace RhythmFlow.Quality.Expectations;

/// <summary>
/// GX's <c>row_condition</c> with <c>condition_parser: "great_expectations"</c>: <c>col("name") OP value</c>
/// (OP one of == != &lt; &lt;= &gt; &gt;=; value a number, a quoted string or <c>date("YYYY-MM-DD")</c>) or
/// <c>col("name").notNull()</c>. The column is validated and quoted; the value is bound.
/// </summary>
internal sealed partial record RowCondition(string Column, string? Operator, object? Value, bool IsDate)
{
    public static RowCondition? Read(Kwargs kwargs)
    {
        var text = kwargs.String("row_condition");
        var parser = kwargs.String("condition_parser");
        if (text is null)
        {
            return parser is null ? null : throw kwargs.Error("kwarg 'condition_parser' is set but 'row_condition' is not.");
        }

        if (parser is not ("great_expectations" or "great_expectations__experimental__"))
        {
            throw kwargs.Error(
                $"condition_parser '{parser ?? "(missing)"}' cannot run on SQL.",
                "Use \"condition_parser\": \"great_expectations\" with a condition like col(\"level\")==\"paid\".");
        }

        var notNull = NotNullPattern().Match(text);
        if (notNull.Success)
        {
            return new RowCondition(notNull.Groups["col"].Value, null, null, false);
        }

        var match = ComparisonPattern().Match(text);
        if (!match.Success)
        {
            throw kwargs.Error($"row_condition '{text}' cannot be parsed.", "Write col(\"name\") OP value, e.g. col(\"status\")==200 or col(\"level\")==\"paid\".");
        }

        var raw = match.Groups["value"].Value;
        var (value, isDate) = match.Groups["num"].Success
            ? ((object)double.Parse(raw, CultureInfo.InvariantCulture), false)
            : (match.Groups["str"].Value, match.Groups["date"].Success);
        var op = match.Groups["op"].Value;
        return new RowCondition(match.Groups["col"].Value, op == "==" ? "=" : op == "!=" ? "<>" : op, value, isDate);
    }

    public void AppendTo(SqlText sql)
    {
        sql.Append(SqlNames.Quote(Column));
        if (Operator is null)
        {
            sql.Append(" IS NOT NULL");
            return;
        }

        sql.Append(" ").Append(Operator).Append(" ").Bind(Value);
        if (IsDate)
        {
            sql.Append("::date");
        }
    }

    [GeneratedRegex("""^\s*col\("(?<col>[a-z_][a-z0-9_]*)"\)\.notnull\(\)\s*$""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NotNullPattern();

    [GeneratedRegex(
        """^\s*col\("(?<col>[a-z_][a-z0-9_]*)"\)\s*(?<op>==|!=|<=|>=|<|>)\s*(?<value>(?<num>[+-]?\d+(\.\d*)?([eE][+-]?\d+)?)|(?<date>date\()?(?<q>["'])(?<str>[^"']*)\k<q>\)?)\s*$""",
        RegexOptions.CultureInvariant)]
    private static partial Regex ComparisonPattern();
}
