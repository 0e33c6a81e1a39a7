using System.Globalization;
using RhythmFlow.Lake.Storage;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// Exactly once under SIGKILL: a dev broker in its own process, events produced into it, the landing job as a
/// child process killed at seeded random points again and again, then drained; the lake must hold every produced
/// event once. The default suite runs a small size; bench/landing-crash-soak.sh runs the full one through
/// RHYTHMFLOW_SOAK_EVENTS / RHYTHMFLOW_SOAK_KILLS / RHYTHMFLOW_SOAK_SEED.
/// </summary>
public sealed class CrashSoakTests : IDisposable
{
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public async Task Land_KilledRepeatedlyThenDrained_LakeHoldsEveryEventExactlyOnce()
    {
        var events = Setting("RHYTHMFLOW_SOAK_EVENTS", 12_000);
        var kills = Setting("RHYTHMFLOW_SOAK_KILLS", 10);
        var random = new Random(Setting("RHYTHMFLOW_SOAK_SEED", 4));

        // Given a dev broker in its own process, filled with events
        var (broker, bootstrap) = await CliProcess.StartDevBrokerAsync(partitions: 3);
        using var stopBroker = broker;
        var produced = new ProducedEvents(bootstrap, partitions: 3);
        await produced.ProduceAsync(events);

        // When the landing job is killed with SIGKILL at random points of its batch cycle, then drained
        string[] land = ["land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--max-records", "1500", "--broker-timeout", "30s"];
        for (var kill = 0; kill < kills; kill++)
        {
            using var child = CliProcess.Start([.. land, "--max-interval", "400ms"]);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_500, 4_000)));
            child.Kill();
            await child.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        using (var drain = CliProcess.Start([.. land, "--once", "--max-interval", "60s"]))
        {
            (await drain.WaitForExitAsync(TimeSpan.FromMinutes(5))).ShouldBe(0, drain.Output);
            drain.Stdout.ShouldContain("landed");
        }

        // Then every produced event is in the lake exactly once, by Kafka coordinates and by content
        await ExactlyOnce.AssertLakeHoldsAsync(lake.Root, produced);
        var log = await Lake.LakeCommitLog.OpenAsync(new LocalLakeStorage(lake.Root));
        log.Commits.Count(c => c.Kind == Lake.LakeCommitKind.Batch).ShouldBeGreaterThan(kills / 2);
    }
}
