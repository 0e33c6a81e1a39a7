using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RhythmFlow.Quality.Sql;

namespace RhythmFlow.Quality.Expectations;

/// <summary>
/// GX 1.x's <c>unexpected_rows_expectation</c>: a query written in the suite, with <c>{batch}</c> standing for the
/// batch, returns the offending rows; it passes when there are none. The suites use it for what needs more than one
/// table (orphan fact keys, facts against aggregates). The query comes from the repository's suite files, runs in a
/// read-only session, and must be one SELECT.
/// </summary>
internal sealed partial class UnexpectedRowsExpectation : Expectation
{
    private readonly string _query;

    public UnexpectedRowsExpectation(Kwargs kwargs)
    {
        _query = kwargs.String("unexpected_rows_query")
            ?? throw kwargs.Error("kwarg 'unexpected_rows_query' is required.", "Write a SELECT over {batch} that returns the rows that should not exist.");
        if (!SelectPattern().IsMatch(_query) || _query.Contains(';', StringComparison.Ordinal))
        {
            throw kwargs.Error("kwarg 'unexpected_rows_query' must be a single SELECT (or WITH ... SELECT) without ';'.");
        }

        if (!_query.Contains("{batch}", StringComparison.Ordinal))
        {
            throw kwargs.Error("kwarg 'unexpected_rows_query' does not mention {batch}.", "Select FROM {batch} so the query checks the batch being validated.");
        }
    }

    public override async Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var count = (await QueryAsync(context, Wrap(context, "SELECT count(*) FROM (", ") AS u"), cancellationToken).ConfigureAwait(false))[0][0];
        var rows = new JsonArray();
        var sample = Wrap(context, "SELECT row_to_json(u)::text FROM (", ") AS u LIMIT ").Bind((long)context.PartialUnexpectedCount);
        foreach (var row in await QueryAsync(context, sample, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(JsonValues.FromJsonText(row[0]));
        }

        var observed = Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture);
        return new ExpectationOutcome(observed == 0, new JsonObject
        {
            ["observed_value"] = observed,
            ["details"] = new JsonObject { ["unexpected_rows"] = rows },
        });
    }

    // {batch} becomes a common table expression named batch, so the query may alias it ({batch} b) or not.
    private SqlText Wrap(EvaluationContext context, string before, string after)
    {
        var sql = new SqlText().Append(before).Append("WITH batch AS (");
        context.Batch.AppendSelect(sql);
        sql.Append(")");
        var query = _query.Replace("{batch}", "batch", StringComparison.Ordinal);
        var with = WithPattern().Match(query);
        sql.Append(with.Success ? ", " + query[with.Length..] : " " + query);
        return sql.Append(after);
    }

    [GeneratedRegex(@"^\s*with\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithPattern();

    [GeneratedRegex(@"^\s*(select|with)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SelectPattern();
}
