using System.Text.Json.Nodes;
using RhythmFlow.Quality.Sql;

namespace RhythmFlow.Quality.Expectations;

/// <summary>
/// GX's aggregate "to be between" expectations (row count, column min/max/mean, proportion of unique values):
/// the metric and both bound checks run in one query, so bounds compare in the metric's own type (numbers,
/// timestamps). A bound that is absent is open; <c>strict_min</c>/<c>strict_max</c> exclude the bound itself.
/// A metric with no value (min of an empty column) fails, as in GX.
/// </summary>
internal sealed class MetricBetweenExpectation(
    Action<SqlText, EvaluationContext> appendMetric,
    string? column,
    object? minValue,
    object? maxValue,
    bool strictMin,
    bool strictMax) : Expectation
{
    public override async Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        if (column is not null)
        {
            context.Require(column);
        }

        var sql = new SqlText().Append("SELECT s.observed, ");
        AppendCheck(sql, minValue, strictMin ? ">" : ">=");
        sql.Append(", ");
        AppendCheck(sql, maxValue, strictMax ? "<" : "<=");
        sql.Append(" FROM (SELECT ");
        appendMetric(sql, context);
        sql.Append(" AS observed FROM ");
        return await Finish(context, sql, cancellationToken).ConfigureAwait(false);
    }

    private static void AppendCheck(SqlText sql, object? bound, string op)
    {
        if (bound is null)
        {
            sql.Append("TRUE");
        }
        else
        {
            sql.Append("(s.observed ").Append(op).Append(" ").Bind(bound).Append(")");
        }
    }

    private async Task<ExpectationOutcome> Finish(EvaluationContext context, SqlText sql, CancellationToken cancellationToken)
    {
        // The metric's FROM clause is the batch; the caller's metric expression refers to its columns.
        context.Batch.AppendRelation(sql, Condition);
        sql.Append(") AS s");
        var row = (await QueryAsync(context, sql, cancellationToken).ConfigureAwait(false))[0];
        var success = row[0] is not null && row[1] is true && row[2] is true;
        return new ExpectationOutcome(success, new JsonObject { ["observed_value"] = JsonValues.From(row[0]) });
    }

    public RowCondition? Condition { get; init; }
}
