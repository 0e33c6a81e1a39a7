using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Tests;

public class DeterminismTests
{
    private static SimulatorOptions Options(int threads, long seed = 7, int users = 400) => new()
    {
        Users = users,
        Start = SimulationRun.WeekStart,
        End = SimulationRun.WeekStart.AddDays(2),
        Seed = seed,
        GrowthRate = 20,
        Threads = threads,
    };

    [Fact]
    public void Run_SameSeedAnyThreadCount_ByteIdenticalOutput()
    {
        // Given the same seed run on 1, 2, 5 and more threads than shards
        var one = SimulationRun.Run(Options(1)).Sink.All;
        var two = SimulationRun.Run(Options(2)).Sink.All;
        var five = SimulationRun.Run(Options(5)).Sink.All;
        var many = SimulationRun.Run(Options(Simulation.ShardCount + 3)).Sink.All;

        // Then every message, its topic, key and position are the same
        one.Count.ShouldBeGreaterThan(1000);
        two.ShouldBe(one);
        five.ShouldBe(one);
        many.ShouldBe(one);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RunAsync_SinkThrowsMidRun_ThrowsAndStopsTheWorkers(int threads)
    {
        // Given a sink that fails on its 5,000th message (of about 50,000)
        var sink = new FailingSink(5000);

        // When the run writes into it
        var run = Simulation.Create(Options(threads, users: 10_000)).RunAsync(sink);

        // Then the sink's exception ends the run (disposing the workers does not hang)
        var error = await Should.ThrowAsync<InvalidOperationException>(run.WaitAsync(TimeSpan.FromSeconds(60)));
        error.Message.ShouldBe("sink failed");
        sink.Writes.ShouldBe(5000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RunAsync_CancelledMidRun_ThrowsOperationCanceled(int threads)
    {
        // Given a sink that cancels the run on its 5,000th message (of about 50,000)
        using var cancel = new CancellationTokenSource();
        var sink = new CancellingSink(5000, cancel);

        // When the run goes on
        var run = Simulation.Create(Options(threads, users: 10_000)).RunAsync(sink, null, cancel.Token);

        // Then it stops with OperationCanceledException soon after
        await Should.ThrowAsync<OperationCanceledException>(run.WaitAsync(TimeSpan.FromSeconds(60)));
        sink.Writes.ShouldBeLessThan(sink.CancelAt + 20_000);
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

internal sealed class FailingSink(int failAt) : IEventSink
{
    public int Writes { get; private set; }

    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        if (++Writes == failAt)
        {
            throw new InvalidOperationException("sink failed");
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class CancellingSink(int cancelAt, CancellationTokenSource cancel) : IEventSink
{
    public int CancelAt => cancelAt;

    public int Writes { get; private set; }

    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        if (++Writes == cancelAt)
        {
            cancel.Cancel();
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
