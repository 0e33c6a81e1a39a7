using System.Diagnostics;
using RhythmFlow.Lake;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// Exactly once across a rebalance: two landing processes (the real CLI) in one consumer group on a dev broker in its
/// own process, events produced while they run, one member stopped mid-run; the other must take over its
/// partitions, and after a final drain the lake holds every produced event once.
/// </summary>
public sealed class RebalanceTests : IDisposable
{
    private const int Chunk = 2_000;
    private const string Assignment = "resuming from the lake commit log";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    /// <param name="stop">
    /// SIGKILL (gone without a word), SIGTERM (graceful: commits its open batch, leaves the group) or SIGSTOP: frozen
    /// with its open batch until the other member has landed its partitions, then thawed as a zombie that still
    /// believes it owns them.
    /// </param>
    [Theory]
    [InlineData("SIGKILL")]
    [InlineData("SIGTERM")]
    [InlineData("SIGSTOP")]
    public async Task Land_OneOfTwoMembersStoppedMidRun_OtherTakesOverItsPartitionsAndTheLakeHoldsEveryEventOnce(string stop)
    {
        // Given two landing processes in one group, both owning partitions and landing
        var (broker, bootstrap) = await CliProcess.StartDevBrokerAsync(partitions: 3);
        using var stopBroker = broker;
        var produced = new ProducedEvents(bootstrap, partitions: 3);
        await produced.ProduceAsync(Chunk);
        string[] land = ["land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--group", "rebalance", "--broker-timeout", "30s"];
        string[] member = [.. land, "--max-interval", "500ms", "--max-records", "400"];
        using var first = CliProcess.Start(member);
        await first.WaitForLineAsync(Assignment, Timeout);
        using var second = CliProcess.Start(member);
        await second.WaitForLineAsync(Assignment, Timeout);
        await produced.ProduceAsync(Chunk);
        await WaitForLogAsync(log => BatchesOf(log, first).Any() && BatchesOf(log, second).Any(), "both members landed a batch", first, second);

        // When more events arrive and the first member is stopped while landing them
        await produced.ProduceAsync(Chunk);
        switch (stop)
        {
            case "SIGKILL":
                await Task.Delay(300);
                first.Kill();
                await first.WaitForExitAsync(Timeout);
                break;
            case "SIGTERM":
                await Task.Delay(300);
                first.Signal(CliProcess.Sigterm);
                (await first.WaitForExitAsync(Timeout)).ShouldBe(0, first.Output);
                break;
            default:
                await FreezeWithOpenBatchAsync(first);
                break;
        }

        var beforeStop = await LakeCommitLog.OpenAsync(lake.Storage);
        var lastOfFirst = BatchesOf(beforeStop, first).Max(c => c.Sequence);
        var partitionsOfFirst = BatchesOf(beforeStop, first).SelectMany(c => c.Offsets).Select(o => (o.Topic, o.Partition)).ToHashSet();
        await produced.ProduceAsync(Chunk);
        var log = await WaitForLogAsync(log => log.NextOffsets.Values.Sum() == produced.Count, "the second member landed everything produced", second);
        if (stop == "SIGSTOP")
        {
            // Thawed, it still holds its open batch: it must drop it (fenced by the log, or discarded on revocation), rejoin and leave cleanly.
            var assignments = first.LinesContaining(Assignment).Count;
            var dropped = Dropped(first);
            first.Signal(CliProcess.Sigcont);
            await first.WaitForLineAsync(Assignment, Timeout, assignments + 1);
            Dropped(first).ShouldBeGreaterThan(dropped, first.Output);
            first.Signal(CliProcess.Sigterm);
            (await first.WaitForExitAsync(Timeout)).ShouldBe(0, first.Output);
        }

        second.Signal(CliProcess.Sigterm);
        (await second.WaitForExitAsync(Timeout)).ShouldBe(0, second.Output);
        await produced.ProduceAsync(Chunk);
        using (var drain = CliProcess.Start([.. land, "--once", "--max-interval", "60s"]))
        {
            (await drain.WaitForExitAsync(Timeout)).ShouldBe(0, drain.Output);
        }

        // Then the second member landed the first one's partitions while it was stopped, and the lake holds each event once
        partitionsOfFirst.ShouldNotBeEmpty();
        BatchesOf(log, first).Max(c => c.Sequence).ShouldBe(lastOfFirst, "a stopped member commits nothing");
        var takenOver = BatchesOf(log, second).Where(c => c.Sequence > lastOfFirst).SelectMany(c => c.Offsets).Select(o => (o.Topic, o.Partition)).ToHashSet();
        partitionsOfFirst.ShouldBeSubsetOf(takenOver, "the surviving member must land every partition of the stopped one");
        await ExactlyOnce.AssertLakeHoldsAsync(lake.Root, produced);
        (await ExactlyOnce.UnlistedFilesAsync(lake.Root)).ShouldBeEmpty("the drain's recovery removes files of batches that never committed");
    }

    /// <summary>Batches the member gave up: fenced by the commit log or discarded when its partitions were revoked.</summary>
    private static int Dropped(CliProcess member) =>
        member.LinesContaining("was fenced and discarded").Count + member.LinesContaining("discarding open batch").Count;

    /// <summary>
    /// Freezes the member at a moment it holds an open batch (an unfinished upload), so it wakes as a zombie with data
    /// of partitions that are no longer its own. Its open files are only stable once it is stopped, so look again then.
    /// </summary>
    private static async Task FreezeWithOpenBatchAsync(CliProcess member)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (HoldsUpload(member))
            {
                member.Signal(CliProcess.Sigstop);
                while (!member.IsStopped())
                {
                    await Task.Delay(1);
                }

                if (HoldsUpload(member))
                {
                    return;
                }

                member.Signal(CliProcess.Sigcont);
            }

            (clock.Elapsed < Timeout).ShouldBeTrue($"the member held no open batch within {Timeout}; {member.Output}");
            await Task.Delay(10);
        }
    }

    private static bool HoldsUpload(CliProcess member) => member.OpenFiles().Any(f => f.EndsWith(".part", StringComparison.Ordinal));

    private static IEnumerable<LakeCommit> BatchesOf(LakeCommitLog log, CliProcess member) =>
        log.Commits.Where(c => c.Kind == LakeCommitKind.Batch && c.Writer.EndsWith($"/{member.Id}", StringComparison.Ordinal));

    private async Task<LakeCommitLog> WaitForLogAsync(Func<LakeCommitLog, bool> condition, string what, params CliProcess[] running)
    {
        var log = await LakeCommitLog.OpenAsync(lake.Storage);
        var clock = Stopwatch.StartNew();
        while (!condition(log))
        {
            foreach (var member in running)
            {
                member.HasExited.ShouldBeFalse($"a landing process exited while waiting until {what}; {member.Output}");
            }

            (clock.Elapsed < Timeout).ShouldBeTrue($"not {what} within {Timeout}; {string.Join("\n", running.Select(r => r.Output))}");
            await Task.Delay(200);
            await log.RefreshAsync();
        }

        return log;
    }
}
