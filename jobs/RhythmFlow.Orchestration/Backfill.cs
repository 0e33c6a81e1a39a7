using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Orchestration;

/// <summary>Which intervals that already have a recorded run a backfill runs again, as in Airflow 3's backfill.</summary>
public enum ReprocessBehavior
{
    /// <summary>Only intervals never run, or left running by an interrupted backfill.</summary>
    None,

    /// <summary>Also intervals whose last run failed.</summary>
    Failed,

    /// <summary>Every interval, succeeded ones included.</summary>
    Completed,
}

public enum IntervalOutcome
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>One interval done (or skipped): what the progress display shows.</summary>
public sealed record BackfillStep(int Index, int Count, DataInterval Interval, IntervalOutcome Outcome, ChainRun? Run, string? Error);

public sealed record BackfillResult(IReadOnlyList<BackfillStep> Steps)
{
    public int Count(IntervalOutcome outcome) => Steps.Count(s => s.Outcome == outcome);
}

/// <summary>
/// Runs a DAG's chain for every interval in a range, oldest first, recording each interval's state in the warehouse
/// so a stopped backfill resumes where it stopped. A failed interval is recorded and the next one runs, as Airflow's
/// backfill does; the result says which failed.
/// </summary>
public sealed class Backfill(ChainRunner runner, IntervalRunStore store, ILogger logger)
{
    /// <summary>The hourly intervals of [from, to); both bounds must fall on the hour.</summary>
    public static IReadOnlyList<DataInterval> HourlyIntervals(DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var (bound, name) in new[] { (from, "--from"), (to, "--to") })
        {
            if (DataInterval.TruncateToHour(bound) != bound)
            {
                throw new UsageException(
                    $"{name} {PipelineDag.Iso(bound)} is not on the hour.",
                    $"Hourly intervals start on the hour; try {name} {PipelineDag.Iso(DataInterval.TruncateToHour(bound))}.");
            }
        }

        if (to <= from)
        {
            throw new UsageException(
                $"--to {PipelineDag.Iso(to)} must be after --from {PipelineDag.Iso(from)}.",
                "The range is half-open: --from 2026-03-29T00:00:00Z --to 2026-03-29T06:00:00Z runs six hours.");
        }

        return [.. new DataInterval(from, to).Hours().Select(hour => new DataInterval(hour, hour.AddHours(1)))];
    }

    public static bool ShouldRun(IntervalRecord? previous, ReprocessBehavior reprocess) => previous?.State switch
    {
        null or IntervalState.Running => true,
        IntervalState.Failed => reprocess is ReprocessBehavior.Failed or ReprocessBehavior.Completed,
        IntervalState.Succeeded => reprocess is ReprocessBehavior.Completed,
        _ => throw new ArgumentOutOfRangeException(nameof(previous)),
    };

    public async Task<BackfillResult> RunAsync(
        PipelineDag dag,
        IReadOnlyList<DataInterval> intervals,
        ReprocessBehavior reprocess,
        IProgress<BackfillStep>? progress,
        CancellationToken cancellationToken)
    {
        await using var exclusive = await store.LockAsync(dag.DagId, cancellationToken);
        var previous = await store.LoadAsync(dag.DagId, intervals[0].Start, intervals[^1].End, cancellationToken);
        var steps = new List<BackfillStep>(intervals.Count);
        foreach (var (interval, index) in intervals.Select((interval, index) => (interval, index)))
        {
            BackfillStep step;
            if (!ShouldRun(previous.GetValueOrDefault(interval.Start), reprocess))
            {
                logger.Information("{DagId} {Interval}: already {State}, skipped (--reprocess {Reprocess})",
                    dag.DagId, interval.ToString(), previous[interval.Start].State, reprocess);
                step = new BackfillStep(index + 1, intervals.Count, interval, IntervalOutcome.Skipped, null, null);
            }
            else
            {
                step = await RunOneAsync(dag, interval, index, intervals.Count, cancellationToken);
            }

            steps.Add(step);
            progress?.Report(step);
        }

        return new BackfillResult(steps);
    }

    private async Task<BackfillStep> RunOneAsync(PipelineDag dag, DataInterval interval, int index, int count, CancellationToken cancellationToken)
    {
        await store.StartAsync(dag.DagId, interval, cancellationToken);
        try
        {
            var run = await runner.RunAsync(dag, interval, cancellationToken);
            await store.FinishAsync(dag.DagId, interval, IntervalState.Succeeded, null, null, CancellationToken.None);
            return new BackfillStep(index + 1, count, interval, IntervalOutcome.Succeeded, run, null);
        }
        catch (ChainTaskFailedException ex)
        {
            // Recorded even when the caller is cancelling: the failure is a fact about this interval.
            await store.FinishAsync(dag.DagId, interval, IntervalState.Failed, ex.TaskId, ex.Message, CancellationToken.None);
            logger.Error("{DagId} {Interval} failed at {TaskId}: {Error}", dag.DagId, interval.ToString(), ex.TaskId, ex.Message);
            return new BackfillStep(index + 1, count, interval, IntervalOutcome.Failed, null, ex.Message);
        }

        // On cancellation the interval stays 'running', which the next backfill treats as not done.
    }
}
