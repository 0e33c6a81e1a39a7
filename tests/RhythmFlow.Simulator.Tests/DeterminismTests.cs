using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Tests;

public class DeterminismTests
{
    private static SimulatorOptions Options(int threads, long seed = 7) => new()
    {
        Users = 400,
        Start = SimulationRun.WeekStart,
        End = SimulationRun.WeekStart.AddDays(2),
        Seed = seed,
        GrowthRate = 20,
        Threads = threads,
    };

    [Fact]
    public void Run_SameSeedAnyThreadCount_ByteIdenticalOutput()
    {
        // Given the same seed run on 1, 2 and 5 threads
        var one = SimulationRun.Run(Options(1)).Sink.All;
        var two = SimulationRun.Run(Options(2)).Sink.All;
        var five = SimulationRun.Run(Options(5)).Sink.All;

        // Then every message, its topic, key and position are the same
        one.Count.ShouldBeGreaterThan(1000);
        two.ShouldBe(one);
        five.ShouldBe(one);
    }

    [Fact]
    public void Run_DifferentSeed_DifferentOutput()
    {
        var a = SimulationRun.Run(Options(2, seed: 1)).Sink.Of(Topics.PageView).Take(50).ToList();
        var b = SimulationRun.Run(Options(2, seed: 2)).Sink.Of(Topics.PageView).Take(50).ToList();
        a.ShouldNotBe(b);
    }

    [Fact]
    public void Run_SessionIds_NeverShareAcrossUsers()
    {
        var owners = new Dictionary<long, long>();
        foreach (var (_, key, json) in SimulationRun.Week.Sink.All)
        {
            var session = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("sessionId").GetInt64();
            owners.TryAdd(session, key);
            owners[session].ShouldBe(key, $"session {session}");
        }
    }
}
