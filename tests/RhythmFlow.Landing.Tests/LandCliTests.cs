using System.Diagnostics;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;

namespace RhythmFlow.Landing.Tests;

/// <summary>
/// <c>rhythmflow land</c> as a process, the way Airflow and a container runtime meet it: the exit codes
/// docs/landing.md lists, and continuous mode's graceful shutdown on SIGTERM and SIGINT.
/// </summary>
public sealed class LandCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempLake lake = new();

    public void Dispose() => lake.Dispose();

    [Fact]
    public async Task Land_OnceWithEventsWaiting_LandsThemAllAndExitsZero()
    {
        // Given
        var (broker, bootstrap) = await CliProcess.StartDevBrokerAsync(partitions: 2);
        using var stopBroker = broker;
        var produced = new ProducedEvents(bootstrap, partitions: 2);
        await produced.ProduceAsync(1_000);

        // When
        using var land = CliProcess.Start("land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--once");
        var exitCode = await land.WaitForExitAsync(Timeout);

        // Then
        exitCode.ShouldBe(0, land.Output);
        land.Stdout.ShouldContain("1000 records, 1000 written, 0 quarantined");
        await ExactlyOnce.AssertLakeHoldsAsync(lake.Root, produced);
    }

    [Fact]
    public async Task Land_OnceWithBrokerUnreachable_ExitsOneAfterTheBrokerTimeoutNamingIt()
    {
        // Given nothing listening on the port
        var clock = Stopwatch.StartNew();

        // When
        using var land = CliProcess.Start("land", "--bootstrap-servers", "127.0.0.1:1", "--lake", lake.Root, "--once", "--broker-timeout", "1s");
        var exitCode = await land.WaitForExitAsync(Timeout);

        // Then
        exitCode.ShouldBe(1, land.Output);
        land.Stderr.ShouldContain("error: Kafka at 127.0.0.1:1 was not ready within --broker-timeout");
        land.Stderr.ShouldContain("hint: ");
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("--max-interval", "soon", "--max-interval 'soon' is not a duration")]
    [InlineData("--max-interval", "50ms", "Landing:MaxInterval")]
    [InlineData("--max-records", "0", "Landing:MaxRecords")]
    [InlineData("--max-bytes", "lots", "--max-bytes")]
    [InlineData("--bootstrap-servers", "no-port", "Kafka:BootstrapServers")]
    [InlineData("--max-lag", "5", "--max-lag")]
    public async Task Land_BadOption_ExitsTwoNamingIt(string option, string value, string named)
    {
        // Given a reachable-looking broker everywhere but in the case under test, so a missed check fails with 1, not 2
        string[] broker = option == "--bootstrap-servers" ? [] : ["--bootstrap-servers", "127.0.0.1:1"];

        // When
        using var land = CliProcess.Start(["land", "--lake", lake.Root, "--once", "--broker-timeout", "1s", .. broker, option, value]);
        var exitCode = await land.WaitForExitAsync(Timeout);

        // Then
        exitCode.ShouldBe(2, land.Output);
        land.Stderr.ShouldContain(named);
        land.Stderr.ShouldContain("error: ");
        Directory.Exists(Path.Combine(lake.Root, LakeCommitLog.Folder)).ShouldBeFalse("bad options must fail before anything is written");
    }

    [Fact]
    public async Task Land_OnceAfterBrokerTrimmedOffsets_LandsWhatIsLeftReportsTheGapAndExitsOne()
    {
        // Given more incompressible bytes in one partition than the dev broker keeps (5 MiB), so it dropped the oldest
        var (broker, bootstrap) = await CliProcess.StartDevBrokerAsync(partitions: 1);
        using var stopBroker = broker;
        var random = new Random(7);
        await using (var sink = await KafkaEventSink.CreateAsync(new KafkaProducerOptions { BootstrapServers = bootstrap, Partitions = 1 }))
        {
            var filler = new byte[64 * 1024];
            for (var i = 0; i < 120; i++)
            {
                random.NextBytes(filler);
                sink.Write(Topics.Listen, 1, filler);
            }

            await sink.FlushAsync(default);
        }

        var produced = new ProducedEvents(bootstrap, partitions: 1);
        await produced.ProduceAsync(100);
        long logStart;
        using (var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = bootstrap }))
        {
            logStart = admin.Watermarks(new Confluent.Kafka.TopicPartition(Topics.Listen, 0)).Low.Value;
        }

        logStart.ShouldBeGreaterThan(0);

        // When
        using var land = CliProcess.Start("land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--once");
        var exitCode = await land.WaitForExitAsync(Timeout);

        // Then the run commits what the broker still had, names the lost range and fails
        exitCode.ShouldBe(1, land.Output);
        land.Stderr.ShouldContain($"error: offsets 0..{logStart - 1} of {Topics.Listen}[0] were deleted by the broker (retention) before landing read them");
        land.Stdout.ShouldContain("landed 1 batches");
        (await LakeCommitLog.OpenAsync(lake.Storage)).Gaps().ShouldBe([new OffsetGap(Topics.Listen, 0, 0, logStart)]);
        (await LakeContents.ReadAsync(lake.Storage)).Select(r => (r.Topic, r.SessionId, r.ItemInSession)).ToHashSet().SetEquals(produced.Events).ShouldBeTrue();
    }

    [Theory]
    [InlineData(CliProcess.Sigterm)]
    [InlineData(CliProcess.Sigint)]
    public async Task Land_ContinuousSignalled_CommitsTheOpenBatchExitsZeroAndARestartLandsTheRestOnce(int signal)
    {
        // Given a continuous landing process with an open batch that would close only after ten minutes
        var (broker, bootstrap) = await CliProcess.StartDevBrokerAsync(partitions: 2);
        using var stopBroker = broker;
        var produced = new ProducedEvents(bootstrap, partitions: 2);
        await produced.ProduceAsync(1_000);
        string[] land = ["land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--broker-timeout", "30s"];
        using var running = CliProcess.Start([.. land, "--max-interval", "10m"]);
        var uploads = Path.Combine(lake.Root, ".uploads");
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(uploads, "*.part").Any())
        {
            running.HasExited.ShouldBeFalse(running.Output);
            (clock.Elapsed < Timeout).ShouldBeTrue($"no open batch within {Timeout}; {running.Output}");
            await Task.Delay(50);
        }

        // When
        running.Signal(signal);
        var exitCode = await running.WaitForExitAsync(Timeout);

        // Then it committed the open batch as one shutdown record and exited 0
        exitCode.ShouldBe(0, running.Output);
        running.Stdout.ShouldContain("landed 1 batches");
        var shutdown = (await LakeCommitLog.OpenAsync(lake.Storage)).Commits.ShouldHaveSingleItem();
        shutdown.Stats.ShouldNotBeNull().CloseReason.ShouldBe("shutdown");
        shutdown.Writer.ShouldEndWith($"/{running.Id}");
        shutdown.Stats.Written.ShouldBeGreaterThan(0);
        (await LakeContents.ReadAsync(lake.Storage)).Count.ShouldBe((int)shutdown.Stats.Written);

        // And a restart lands the rest and what arrived meanwhile, nothing twice
        await produced.ProduceAsync(500);
        using var restart = CliProcess.Start([.. land, "--once"]);
        (await restart.WaitForExitAsync(Timeout)).ShouldBe(0, restart.Output);
        await ExactlyOnce.AssertLakeHoldsAsync(lake.Root, produced);
    }
}
