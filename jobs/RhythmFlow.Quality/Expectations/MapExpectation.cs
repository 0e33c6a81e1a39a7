using System.Text.Json.Nodes;
using RhythmFlow.Quality.Sql;

namespace RhythmFlow.Quality.Expectations;

/// <summary>
/// GX's map expectations (column, column-pair and multicolumn): each row of the batch is either ignored (missing),
/// expected, or unexpected. The row test is pushed down as <c>SELECT v, ignored, ok FROM batch</c>; counts and samples
/// are aggregated in the warehouse. Success follows GX's <c>mostly</c>: the share of expected rows among the rows
/// not ignored must be at least <c>mostly</c>, and a batch with no such rows passes.
/// </summary>
internal sealed class MapExpectation(
    Action<SqlText, EvaluationContext> appendRows,
    double mostly,
    bool missingIsUnexpected,
    bool valuesAreJson,
    IReadOnlyList<string> columns) : Expectation
{
    public override async Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        foreach (var column in columns)
        {
            context.Require(column);
        }

        var stats = Rows(context, "SELECT count(*), count(*) FILTER (WHERE m.ignored), count(*) FILTER (WHERE NOT m.ignored AND m.ok IS NOT TRUE) FROM ");
        var counts = (await QueryAsync(context, stats, cancellationToken).ConfigureAwait(false))[0];
        var elementCount = Convert.ToInt64(counts[0], System.Globalization.CultureInfo.InvariantCulture);
        var missingCount = Convert.ToInt64(counts[1], System.Globalization.CultureInfo.InvariantCulture);
        var unexpectedCount = Convert.ToInt64(counts[2], System.Globalization.CultureInfo.InvariantCulture);

        var partialList = new JsonArray();
        var partialCounts = new JsonArray();
        if (unexpectedCount > 0)
        {
            var sample = Rows(context, "SELECT m.v FROM ").Append(" WHERE NOT m.ignored AND m.ok IS NOT TRUE LIMIT ").Bind((long)context.PartialUnexpectedCount);
            foreach (var row in await QueryAsync(context, sample, cancellationToken).ConfigureAwait(false))
            {
                partialList.Add(Value(row[0]));
            }

            var grouped = Rows(context, "SELECT m.v, count(*) AS n FROM ")
                .Append(" WHERE NOT m.ignored AND m.ok IS NOT TRUE GROUP BY m.v ORDER BY n DESC, m.v LIMIT ").Bind((long)context.PartialUnexpectedCount);
            foreach (var row in await QueryAsync(context, grouped, cancellationToken).ConfigureAwait(false))
            {
                partialCounts.Add(new JsonObject { ["value"] = Value(row[0]), ["count"] = Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture) });
            }
        }

        var considered = elementCount - missingCount;
        var result = new JsonObject
        {
            ["element_count"] = elementCount,
            ["unexpected_count"] = unexpectedCount,
            ["unexpected_percent"] = Percent(unexpectedCount, missingIsUnexpected ? elementCount : considered),
            ["partial_unexpected_list"] = partialList,
        };
        if (!missingIsUnexpected)
        {
            result["missing_count"] = missingCount;
            result["missing_percent"] = Percent(missingCount, elementCount);
            result["unexpected_percent_total"] = Percent(unexpectedCount, elementCount);
            result["unexpected_percent_nonmissing"] = Percent(unexpectedCount, considered);
        }

        result["partial_unexpected_counts"] = partialCounts;
        return new ExpectationOutcome(MostlySuccess(considered, unexpectedCount, mostly), result);
    }

    /// <summary>GX's rule: with no rows to consider the expectation passes; otherwise the expected share must reach <c>mostly</c>.</summary>
    internal static bool MostlySuccess(long considered, long unexpected, double mostly) =>
        considered == 0 || ((double)considered - unexpected) / considered >= mostly;

    private static JsonNode? Percent(long part, long whole) => whole > 0 ? JsonValue.Create(100.0 * part / whole) : null;

    private JsonNode? Value(object? value) => valuesAreJson ? JsonValues.FromJsonText(value) : JsonValues.From(value);

    private SqlText Rows(EvaluationContext context, string select)
    {
        var sql = new SqlText().Append(select).Append("(");
        appendRows(sql, context);
        return sql.Append(") AS m");
    }
}
