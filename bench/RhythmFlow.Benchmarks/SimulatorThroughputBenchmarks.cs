using BenchmarkDotNet.Attributes;
using RhythmFlow.Simulator;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Benchmarks;

/// <summary>
/// The simulator's hot path: users, sessions, the state machine and the exact JSON writer, into a sink that
/// discards. One thread is the baseline; eventsim's published single-thread rate is 115,000–147,000 events/s.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SimulatorThroughputBenchmarks
{
    private static readonly DateTimeOffset Start = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    [Benchmark(Baseline = true)]
    public Task<SimulationSummary> OneThread() => Run(1);

    [Benchmark]
    public Task<SimulationSummary> TwoThreads() => Run(2);

    private static Task<SimulationSummary> Run(int threads) =>
        Simulation.Create(new SimulatorOptions { Users = 20_000, Start = Start, End = Start.AddDays(2), Seed = 1, Threads = threads })
            .RunAsync(new NullEventSink());
}
