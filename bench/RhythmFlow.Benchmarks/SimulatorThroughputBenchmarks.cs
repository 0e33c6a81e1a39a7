using BenchmarkDotNet.Attributes;
using RhythmFlow.Simulator;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Benchmarks;

/// <summary>
/// The simulator's hot path: users, sessions, the state machine and the exact JSON writer, into a sink that
/// discards. A week of 20,000 users emits 304,201 events. One thread is the baseline, so the Ratio column
/// stays meaningful on a loaded machine; eventsim's published single-thread rate is 115,000–147,000 events/s
/// (divide 304,201 by the mean). <see cref="SetupOneThread"/> runs only users and the pre-roll (plus one
/// simulated second), the part of every run that emits nothing.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SimulatorThroughputBenchmarks
{
    private static readonly DateTimeOffset Start = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    [Benchmark(Baseline = true)]
    public Task<SimulationSummary> OneThread() => Run(1, TimeSpan.FromDays(7));

    [Benchmark]
    public Task<SimulationSummary> TwoThreads() => Run(2, TimeSpan.FromDays(7));

    [Benchmark]
    public Task<SimulationSummary> SetupOneThread() => Run(1, TimeSpan.FromSeconds(1));

    private static Task<SimulationSummary> Run(int threads, TimeSpan length) =>
        Simulation.Create(new SimulatorOptions { Users = 20_000, Start = Start, End = Start + length, Seed = 1, Threads = threads })
            .RunAsync(new NullEventSink());
}
