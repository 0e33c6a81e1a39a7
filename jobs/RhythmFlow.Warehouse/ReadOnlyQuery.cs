using Npgsql;
using RhythmFlow.Contracts;

namespace RhythmFlow.Warehouse;

/// <summary>The result of a query: column names and rows of values (DBNull as null).</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// Runs one user-supplied statement in a READ ONLY transaction that is always rolled back. The statement goes to
/// PostgreSQL as a single prepared statement, so text such as <c>SELECT 1; COMMIT; DROP ...</c> is refused by the
/// server rather than split into statements that could escape the transaction.
/// </summary>
public static class ReadOnlyQuery
{
    public static async Task<QueryResult> RunAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new UsageException("The query is empty.", "Pass one SQL statement, e.g. rhythmflow sql \"SELECT count(*) FROM raw.listen_events\".");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[reader.FieldCount];
                reader.GetValues(row!);
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = row[i] is DBNull ? null : row[i];
                }

                rows.Add(row);
            }

            return new QueryResult(columns, rows);
        }
        catch (PostgresException ex)
        {
            throw new UsageException(
                $"The query failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).",
                ex.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction
                    ? "'rhythmflow sql' only reads; change data through the pipeline's verbs."
                    : "Check the query; 'rhythmflow sql' runs exactly one read-only statement.");
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }
}
