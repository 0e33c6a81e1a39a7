using System.Diagnostics;
using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
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
        using var broker = Start(["dev-broker", "--partitions", "3"], keepOutput: true);
        using var stopBroker = new KillOnDispose(broker);
        var first = await broker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? string.Empty;
        var bootstrap = first.Replace("bootstrap.servers=", string.Empty, StringComparison.Ordinal);
        bootstrap.ShouldStartWith("127.0.0.1:");
        var produced = new HashSet<(string Topic, long Session, int Item)>();
        await using (var sink = await KafkaEventSink.CreateAsync(new KafkaProducerOptions { BootstrapServers = bootstrap, Partitions = 3 }))
        {
            for (var i = 0; i < events; i++)
            {
                var topic = Topics.All[i % 4];
                var session = 1 + (i / 40);
                var item = i % 40;
                sink.Write(topic, session, SampleEvents.Bytes(SampleEvents.For(topic, SampleEvents.Ts.AddSeconds(i % 7200).ToUnixTimeMilliseconds(), session, item)));
                produced.Add((topic, session, item));
            }

            await sink.FlushAsync(default);
        }

        // When the landing job is killed with SIGKILL at random points of its batch cycle, then drained
        string[] land = ["land", "--bootstrap-servers", bootstrap, "--lake", lake.Root, "--max-records", "1500", "--broker-timeout", "30s"];
        for (var kill = 0; kill < kills; kill++)
        {
            using var child = Start([.. land, "--max-interval", "400ms"], keepOutput: false);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_500, 4_000)));
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        using (var drain = Start([.. land, "--once", "--max-interval", "60s"], keepOutput: true))
        {
            var stdout = drain.StandardOutput.ReadToEndAsync();
            var stderr = drain.StandardError.ReadToEndAsync();
            await drain.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            drain.ExitCode.ShouldBe(0, await stderr);
            (await stdout).ShouldContain("landed");
        }

        // Then every produced event is in the lake exactly once, by Kafka coordinates and by content
        var rows = await LakeContents.ReadAsync(new LocalLakeStorage(lake.Root));
        rows.Select(r => (r.Topic, r.Partition, r.Offset)).Distinct().Count().ShouldBe(rows.Count, "a Kafka offset landed twice");
        rows.Count.ShouldBe(events);
        rows.Select(r => (r.Topic, r.SessionId, r.ItemInSession)).ToHashSet().SetEquals(produced).ShouldBeTrue();
        var log = await Lake.LakeCommitLog.OpenAsync(new LocalLakeStorage(lake.Root));
        log.Commits.Count(c => c.Kind == Lake.LakeCommitKind.Batch).ShouldBeGreaterThan(kills / 2);
    }

    /// <summary>Disposing a <see cref="Process"/> leaves it running; the broker must not outlive the test run.</summary>
    private sealed class KillOnDispose(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    private static Process Start(IEnumerable<string> arguments, bool keepOutput)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll"));
        info.ArgumentList.Add("--log-format");
        info.ArgumentList.Add("json");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A killed member stays in the group until its session times out; keep that short so restarts rejoin fast.
        info.Environment["RHYTHMFLOW_Kafka__SessionTimeoutMs"] = "3000";
        var process = Process.Start(info)!;
        if (!keepOutput)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
        }

        return process;
    }
}
