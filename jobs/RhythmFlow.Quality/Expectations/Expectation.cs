using System.Text.Json.Nodes;
using Npgsql;
using RhythmFlow.Quality.Sql;
using RhythmFlow.Quality.Validation;

namespace RhythmFlow.Quality.Expectations;

/// <summary>A column of the batch as the warehouse reports it.</summary>
public sealed record BatchColumn(string Name, string DataType);

/// <summary>What an expectation runs against: one open connection, the batch and its columns.</summary>
internal sealed record EvaluationContext(
    NpgsqlConnection Connection,
    BatchSpec Batch,
    IReadOnlyList<BatchColumn> Columns,
    int PartialUnexpectedCount,
    IQuarantineCounts? Quarantine)
{
    /// <summary>The column, or a failure naming the batch's columns (GX reports a missing column as an exception).</summary>
    public BatchColumn Require(string column) =>
        Columns.FirstOrDefault(c => c.Name == column)
        ?? throw new ExpectationRuntimeException(
            $"column '{column}' does not exist in {Batch.Describe}; it has {string.Join(", ", Columns.Select(c => c.Name))}.");
}

/// <summary>The outcome of one expectation: success and GX's <c>result</c> object.</summary>
internal sealed record ExpectationOutcome(bool Success, JsonObject Result);

/// <summary>A failure while evaluating (missing column, SQL error); reported in <c>exception_info</c>, never passed.</summary>
internal sealed class ExpectationRuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An expectation compiled from its kwargs, ready to push down as SQL.</summary>
internal abstract class Expectation
{
    public abstract Task<ExpectationOutcome> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken);

    protected static async Task<List<object?[]>> QueryAsync(EvaluationContext context, SqlText sql, CancellationToken cancellationToken)
    {
        await using var command = sql.CreateCommand(context.Connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
