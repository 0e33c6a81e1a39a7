using System.Diagnostics;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Orchestration;

/// <summary>Runs one <c>rhythmflow</c> command line; the CLI implements it over its own verb tree, in process.</summary>
public interface IVerbInvoker
{
    /// <summary>Runs <c>rhythmflow &lt;arguments&gt;</c> and returns its exit code.</summary>
    Task<int> InvokeAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>One task of a chain run, with the exact command line it ran.</summary>
public sealed record TaskRun(string TaskId, IReadOnlyList<string> Arguments, TimeSpan Duration);

/// <summary>A whole chain run for one data interval.</summary>
public sealed record ChainRun(string DagId, DataInterval Interval, IReadOnlyList<TaskRun> Tasks)
{
    public TimeSpan Duration => Tasks.Aggregate(TimeSpan.Zero, (sum, task) => sum + task.Duration);
}

/// <summary>A task of the chain exited non-zero; the interval's later tasks did not run.</summary>
public sealed class ChainTaskFailedException(string dagId, string taskId, DataInterval interval, int exitCode, IReadOnlyList<string> arguments)
    : RhythmFlowException(
        $"{dagId}: task {taskId} failed for {interval} with exit code {exitCode} (rhythmflow {string.Join(' ', arguments)}).",
        $"Fix the cause shown above, then re-run the interval: rhythmflow run {dagId.Replace("rhythmflow_", string.Empty, StringComparison.Ordinal)} "
        + $"--interval-start {PipelineDag.Iso(interval.Start)} --interval-end {PipelineDag.Iso(interval.End)}")
{
    public string TaskId { get; } = taskId;

    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// The CLI's own scheduler for one data interval: the DAG's tasks in dependency order, each through the same verb and
/// options that Airflow runs in the image, stopping at the first failure as Airflow's upstream_failed would.
/// </summary>
public sealed class ChainRunner(IVerbInvoker invoker, ILogger logger)
{
    public async Task<ChainRun> RunAsync(PipelineDag dag, DataInterval interval, CancellationToken cancellationToken)
    {
        var runs = new List<TaskRun>(dag.Tasks.Count);
        foreach (var task in dag.RunOrder())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arguments = PipelineDag.Render(task, interval);
            logger.Information("{DagId} {TaskId} {Interval}: rhythmflow {Arguments}", dag.DagId, task.TaskId, interval.ToString(), string.Join(' ', arguments));

            var started = Stopwatch.GetTimestamp();
            var exitCode = await invoker.InvokeAsync(arguments, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            cancellationToken.ThrowIfCancellationRequested();
            if (exitCode != 0)
            {
                throw new ChainTaskFailedException(dag.DagId, task.TaskId, interval, exitCode, arguments);
            }

            logger.Information("{DagId} {TaskId} {Interval} succeeded in {Seconds:0.0} s", dag.DagId, task.TaskId, interval.ToString(), elapsed.TotalSeconds);
            runs.Add(new TaskRun(task.TaskId, arguments, elapsed));
        }

        return new ChainRun(dag.DagId, interval, runs);
    }
}
