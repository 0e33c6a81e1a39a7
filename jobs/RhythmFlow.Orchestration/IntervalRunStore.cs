using Dapper;
using Npgsql;
using RhythmFlow.Contracts;

namespace RhythmFlow.Orchestration;

public enum IntervalState
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>What the warehouse remembers about one DAG interval (<c>rhythmflow.interval_runs</c>).</summary>
public sealed record IntervalRecord(DateTimeOffset Start, DateTimeOffset End, IntervalState State, int Attempts, string? FailedTask, string? Error);

/// <summary>
/// Per-interval run state in the warehouse's <c>rhythmflow</c> schema (migration 0100), the memory that makes
/// <c>rhythmflow backfill</c> resumable.
/// </summary>
public sealed class IntervalRunStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<DateTimeOffset, IntervalRecord>> LoadAsync(
        string dagId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(DateTime Start, DateTime End, string State, int Attempts, string? FailedTask, string? Error)>(
            new CommandDefinition(
                """
                SELECT interval_start, interval_end, state, attempts, failed_task, error
                FROM rhythmflow.interval_runs
                WHERE dag_id = @dagId AND interval_start >= @from AND interval_start < @to
                """,
                new { dagId, from, to },
                cancellationToken: cancellationToken));
        return rows.Select(r => new IntervalRecord(
                Utc(r.Start), Utc(r.End), Enum.Parse<IntervalState>(r.State, ignoreCase: true), r.Attempts, r.FailedTask, r.Error))
            .ToDictionary(r => r.Start);
    }

    public async Task StartAsync(string dagId, DataInterval interval, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rhythmflow.interval_runs (dag_id, interval_start, interval_end, state, started_at)
            VALUES (@dagId, @start, @end, 'running', @now)
            ON CONFLICT (dag_id, interval_start) DO UPDATE SET
                interval_end = excluded.interval_end, state = 'running', attempts = interval_runs.attempts + 1,
                started_at = excluded.started_at, finished_at = NULL, failed_task = NULL, error = NULL
            """,
            new { dagId, start = interval.Start, end = interval.End, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    public async Task FinishAsync(
        string dagId, DataInterval interval, IntervalState state, string? failedTask, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE rhythmflow.interval_runs
            SET state = @state, finished_at = @now, failed_task = @failedTask, error = @error
            WHERE dag_id = @dagId AND interval_start = @start
            """,
            new { dagId, start = interval.Start, state = state.ToString().ToLowerInvariant(), now = time.GetUtcNow(), failedTask, error },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Holds a session-level advisory lock for the DAG until disposed, so two backfills never run the same intervals
    /// at once; fails at once, with a hint, when another runner holds it.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(string dagId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var key = $"rhythmflow.interval_runs/{dagId}";
            var acquired = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", new { key }, cancellationToken: cancellationToken));
            if (!acquired)
            {
                throw new RhythmFlowException(
                    $"Another rhythmflow run or backfill of {dagId} is running against this warehouse.",
                    "Wait for it to finish (or stop it), then run again; finished intervals are remembered.");
            }

            return new Lease(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Unlocks explicitly: a pooled connection keeps session locks after it is returned to the pool.</summary>
    private sealed class Lease(NpgsqlConnection connection, string key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", new { key });
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
