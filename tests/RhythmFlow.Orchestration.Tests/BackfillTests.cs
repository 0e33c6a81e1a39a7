using RhythmFlow.Contracts;
using RhythmFlow.Testing;
using Serilog.Core;

namespace RhythmFlow.Orchestration.Tests;

public sealed class BackfillTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>
{
    private static readonly DateTimeOffset Day = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HourlyIntervals_SixHours_SixHalfOpenHours()
    {
        var intervals = Backfill.HourlyIntervals(Day, Day.AddHours(6));

        intervals.Count.ShouldBe(6);
        intervals[0].ShouldBe(new DataInterval(Day, Day.AddHours(1)));
        intervals[^1].End.ShouldBe(Day.AddHours(6));
    }

    [Fact]
    public void HourlyIntervals_BoundNotOnTheHour_UsageErrorWithSuggestion()
    {
        var error = Should.Throw<UsageException>(() => Backfill.HourlyIntervals(Day.AddMinutes(30), Day.AddHours(2)));

        error.Message.ShouldContain("--from 2026-03-29T00:30:00Z");
        error.Hint!.ShouldContain("--from 2026-03-29T00:00:00Z");
    }

    [Theory]
    [InlineData(null, "none", true)]
    [InlineData(IntervalState.Running, "none", true)]
    [InlineData(IntervalState.Failed, "none", false)]
    [InlineData(IntervalState.Failed, "failed", true)]
    [InlineData(IntervalState.Succeeded, "failed", false)]
    [InlineData(IntervalState.Succeeded, "completed", true)]
    public void ShouldRun_PreviousStateAndReprocess_FollowsAirflowsBackfill(IntervalState? previous, string reprocess, bool expected)
    {
        var record = previous is { } state ? new IntervalRecord(Day, Day.AddHours(1), state, 1, null, null) : null;

        Backfill.ShouldRun(record, Enum.Parse<ReprocessBehavior>(reprocess, ignoreCase: true)).ShouldBe(expected);
    }

    [Fact]
    public async Task RunAsync_InterruptedThenResumed_RunsEveryIntervalOnceInOrder()
    {
        // Given: a backfill stopped while the third hour's model build runs
        var dag = DagFor("resume");
        var intervals = Backfill.HourlyIntervals(Day, Day.AddHours(6));
        using var stop = new CancellationTokenSource();
        var modelBuilds = 0;
        var interrupted = new RecordingInvoker(arguments =>
        {
            if (arguments[0] == "model" && ++modelBuilds == 3)
            {
                stop.Cancel();
            }

            return 0;
        });
        await Should.ThrowAsync<OperationCanceledException>(
            NewBackfill(interrupted).RunAsync(dag, intervals, ReprocessBehavior.None, null, stop.Token));

        // When: it is run again
        var resumed = new RecordingInvoker();
        var result = await NewBackfill(resumed).RunAsync(dag, intervals, ReprocessBehavior.None, null, CancellationToken.None);

        // Then: the finished hours are skipped, the interrupted one re-runs whole, and together they equal one run
        result.Steps.Select(s => s.Outcome).ShouldBe(
            [IntervalOutcome.Skipped, IntervalOutcome.Skipped, IntervalOutcome.Succeeded, IntervalOutcome.Succeeded, IntervalOutcome.Succeeded, IntervalOutcome.Succeeded]);
        var uninterrupted = new RecordingInvoker();
        await NewBackfill(uninterrupted).RunAsync(DagFor("uninterrupted"), intervals, ReprocessBehavior.None, null, CancellationToken.None);
        var completed = interrupted.Calls.Take(2 * dag.Tasks.Count).Concat(resumed.Calls);
        completed.ShouldBe(uninterrupted.Calls);

        var states = await new IntervalRunStore(db.DataSource, TimeProvider.System).LoadAsync(dag.DagId, Day, Day.AddHours(6), CancellationToken.None);
        states.Values.ShouldAllBe(s => s.State == IntervalState.Succeeded);
        states[Day.AddHours(2)].Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_FailedInterval_RecordedThenRerunOnlyWithReprocessFailed()
    {
        // Given: hour 1 fails at transform
        var dag = DagFor("reprocess");
        var intervals = Backfill.HourlyIntervals(Day, Day.AddHours(3));
        var failing = new RecordingInvoker(arguments => arguments[0] == "transform" && arguments[2] == "2026-03-29T01:00:00Z" ? 1 : 0);
        var first = await NewBackfill(failing).RunAsync(dag, intervals, ReprocessBehavior.None, null, CancellationToken.None);
        first.Count(IntervalOutcome.Failed).ShouldBe(1);
        var states = await new IntervalRunStore(db.DataSource, TimeProvider.System).LoadAsync(dag.DagId, Day, Day.AddHours(3), CancellationToken.None);
        states[Day.AddHours(1)].FailedTask.ShouldBe("transform");

        // When
        var again = await NewBackfill(new RecordingInvoker()).RunAsync(dag, intervals, ReprocessBehavior.None, null, CancellationToken.None);
        var fixedRun = new RecordingInvoker();
        var reprocessed = await NewBackfill(fixedRun).RunAsync(dag, intervals, ReprocessBehavior.Failed, null, CancellationToken.None);

        // Then
        again.Count(IntervalOutcome.Skipped).ShouldBe(3);
        reprocessed.Steps.Select(s => s.Outcome).ShouldBe([IntervalOutcome.Skipped, IntervalOutcome.Succeeded, IntervalOutcome.Skipped]);
        fixedRun.Calls[0].ShouldContain("2026-03-29T01:00:00Z");
    }

    [Fact]
    public async Task RunAsync_AnotherBackfillHoldsTheDag_FailsWithHint()
    {
        var dag = DagFor("locked");
        var store = new IntervalRunStore(db.DataSource, TimeProvider.System);
        await using var held = await store.LockAsync(dag.DagId, CancellationToken.None);

        var error = await Should.ThrowAsync<RhythmFlowException>(
            NewBackfill(new RecordingInvoker()).RunAsync(dag, Backfill.HourlyIntervals(Day, Day.AddHours(1)), ReprocessBehavior.None, null, CancellationToken.None));

        error.Message.ShouldContain("locked_hourly");
        error.Hint.ShouldNotBeNull();
    }

    private Backfill NewBackfill(RecordingInvoker invoker) =>
        new(new ChainRunner(invoker, Logger.None), new IntervalRunStore(db.DataSource, TimeProvider.System), Logger.None);

    /// <summary>The hourly chain under a DAG id of the test's own, so tests sharing the database never see each other's state.</summary>
    private static PipelineDag DagFor(string name) => Pipelines.Hourly with { DagId = $"{name}_hourly" };
}
