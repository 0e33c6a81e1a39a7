using System.Collections.Concurrent;
using System.Text;
using RhythmFlow.Contracts;

namespace RhythmFlow.Simulator.Tests;

/// <summary>Collects every message per topic, in order, as text.</summary>
internal sealed class CollectingSink : IEventSink
{
    public ConcurrentDictionary<string, List<(long Key, string Json)>> Messages { get; } = new();

    public List<(string Topic, long Key, string Json)> All { get; } = [];

    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        var text = Encoding.UTF8.GetString(json);
        Messages.GetOrAdd(topic, _ => []).Add((userKey, text));
        All.Add((topic, userKey, text));
    }

    public IReadOnlyList<(long Key, string Json)> Of(string topic) => Messages.TryGetValue(topic, out var list) ? list : [];

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Runs small simulations once per test class and shares them.</summary>
internal static class SimulationRun
{
    public static readonly DateTimeOffset WeekStart = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero); // a Monday

    private static readonly Lazy<(SimulationSummary Summary, CollectingSink Sink)> SharedWeek = new(() => Run(new SimulatorOptions
    {
        Users = 2000,
        Start = WeekStart,
        End = WeekStart.AddDays(7),
        Seed = 42,
        GrowthRate = 5,
        Threads = 2,
    }));

    /// <summary>A simulated week of 2,000 users with growth, shared by the contract and realism tests.</summary>
    public static (SimulationSummary Summary, CollectingSink Sink) Week => SharedWeek.Value;

    public static (SimulationSummary Summary, CollectingSink Sink) Run(SimulatorOptions options)
    {
        var sink = new CollectingSink();
        var summary = Simulation.Create(options).RunAsync(sink).GetAwaiter().GetResult();
        return (summary, sink);
    }
}
