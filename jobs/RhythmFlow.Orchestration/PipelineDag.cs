using System.Globalization;
using RhythmFlow.Contracts;

namespace RhythmFlow.Orchestration;

/// <summary>One task of a DAG: the <c>rhythmflow</c> command line it runs in the image, and the tasks it waits for.</summary>
/// <param name="TaskId">The Airflow task id.</param>
/// <param name="Arguments">
/// The verb and its options after <c>rhythmflow</c>, exactly as the DAG passes them; the data interval appears as
/// the Airflow templates <see cref="PipelineDag.IntervalStartTemplate"/> and <see cref="PipelineDag.IntervalEndTemplate"/>.
/// </param>
/// <param name="Upstream">Task ids that must succeed first.</param>
public sealed record ChainTask(string TaskId, IReadOnlyList<string> Arguments, IReadOnlyList<string> Upstream);

/// <summary>
/// A DAG as both runners see it: Airflow (the files in <c>dags/</c>, checked against this by the contract test)
/// and the CLI's own runner (<c>rhythmflow run</c>, <c>backfill</c>, <c>demo</c>).
/// </summary>
public sealed record PipelineDag(
    string DagId,
    string Cron,
    bool HasDataIntervals,
    bool Catchup,
    int MaxActiveRuns,
    IReadOnlyList<ChainTask> Tasks)
{
    public const string IntervalStartTemplate = "{{ data_interval_start }}";
    public const string IntervalEndTemplate = "{{ data_interval_end }}";

    /// <summary>The tasks in an order that respects every dependency, keeping declaration order among independent tasks.</summary>
    public IReadOnlyList<ChainTask> RunOrder()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<ChainTask>(Tasks.Count);
        while (ordered.Count < Tasks.Count)
        {
            var next = Tasks.FirstOrDefault(t => !done.Contains(t.TaskId) && t.Upstream.All(done.Contains))
                ?? throw new InvalidOperationException($"DAG {DagId} has a dependency cycle or an unknown upstream task.");
            ordered.Add(next);
            done.Add(next.TaskId);
        }

        return ordered;
    }

    /// <summary>The task's command line with the data interval filled in as ISO-8601 UTC, as Airflow renders it.</summary>
    public static IReadOnlyList<string> Render(ChainTask task, DataInterval interval) =>
    [
        .. task.Arguments.Select(argument => argument
            .Replace(IntervalStartTemplate, Iso(interval.Start), StringComparison.Ordinal)
            .Replace(IntervalEndTemplate, Iso(interval.End), StringComparison.Ordinal)),
    ];

    public static string Iso(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
