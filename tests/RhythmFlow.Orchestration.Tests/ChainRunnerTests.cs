using RhythmFlow.Contracts;
using Serilog.Core;

namespace RhythmFlow.Orchestration.Tests;

public sealed class ChainRunnerTests
{
    private static readonly DataInterval Hour = new(
        new DateTimeOffset(2026, 3, 29, 14, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 29, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_HourlyChain_RunsEveryTaskInOrderWithTheIntervalRendered()
    {
        // Given
        var invoker = new RecordingInvoker();

        // When
        var run = await new ChainRunner(invoker, Logger.None).RunAsync(Pipelines.Hourly, Hour, CancellationToken.None);

        // Then
        invoker.Calls.ShouldBe(
        [
            "transform --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z",
            "validate --checkpoint raw_hourly --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z",
            "model build --vars {data_interval_start: '2026-03-29T14:00:00Z', data_interval_end: '2026-03-29T15:00:00Z'}",
            "validate --checkpoint marts_hourly --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z",
        ]);
        run.Tasks.Select(t => t.TaskId).ShouldBe(["transform", "validate_raw", "model_build", "validate_marts"]);
    }

    [Fact]
    public async Task RunAsync_TaskFails_StopsThereAndNamesTaskIntervalAndRerunCommand()
    {
        // Given: the raw checkpoint fails
        var invoker = new RecordingInvoker(arguments => arguments.Contains("raw_hourly") ? 1 : 0);

        // When
        var failure = await Should.ThrowAsync<ChainTaskFailedException>(
            new ChainRunner(invoker, Logger.None).RunAsync(Pipelines.Hourly, Hour, CancellationToken.None));

        // Then: nothing downstream ran, and the message says what to do
        invoker.Calls.Count.ShouldBe(2);
        failure.TaskId.ShouldBe("validate_raw");
        failure.Message.ShouldContain("2026-03-29T14:00:00Z");
        failure.Hint.ShouldBe("Fix the cause shown above, then re-run the interval: rhythmflow run hourly --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z");
    }

    [Fact]
    public void RunOrder_EveryPipeline_RespectsDependencies()
    {
        foreach (var dag in Pipelines.All)
        {
            var order = dag.RunOrder().Select(t => t.TaskId).ToList();
            order.ShouldBe(dag.Tasks.Select(t => t.TaskId), ignoreOrder: true);
            foreach (var task in dag.Tasks)
            {
                task.Upstream.ShouldAllBe(upstream => order.IndexOf(upstream) < order.IndexOf(task.TaskId));
            }
        }
    }

    [Fact]
    public void RunOrder_Cycle_Throws()
    {
        var dag = new PipelineDag("cyclic", "0 * * * *", true, true, 1, [new ChainTask("a", ["a"], ["b"]), new ChainTask("b", ["b"], ["a"])]);

        Should.Throw<InvalidOperationException>(() => dag.RunOrder()).Message.ShouldContain("cycle");
    }
}
