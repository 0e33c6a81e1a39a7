using BenchmarkDotNet.Attributes;
using RhythmFlow.Contracts;
using RhythmFlow.Landing;
using RhythmFlow.Landing.Batching;
using RhythmFlow.Landing.Validation;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Simulator;

namespace RhythmFlow.Benchmarks.Landing;

/// <summary>
/// A landing lane's work per message, on one day of 2,000 simulated users' page views (the busiest topic): the
/// contract check with NJsonSchema (the schema's reference implementation, the baseline), the same check with the
/// landing job's compiled validator, and the validator plus the append of the parsed fields to a Parquet file, which
/// is what a lane does with each valid message. Divide the events by the mean for a lane's messages per second.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class LandingValidationBenchmarks
{
    private const string Topic = Topics.PageView;
    private readonly List<byte[]> events = [];
    private readonly EventValidator validator = new(new LandingOptions(), TimeProvider.System);
    private readonly TopicLayout layout = new(Topic);
    private string lakeRoot = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var start = new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);
        await Simulation.Create(new SimulatorOptions { Users = 2_000, Start = start, End = start.AddDays(1), Seed = 1 })
            .RunAsync(new CapturingSink(Topic, events));
        lakeRoot = Directory.CreateTempSubdirectory("rhythmflow-landing-bench").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(lakeRoot, recursive: true);

    [Benchmark(Baseline = true)]
    public int NJsonSchema()
    {
        var valid = 0;
        foreach (var json in events)
        {
            valid += EventSchemas.Validate(Topic, json).Count == 0 ? 1 : 0;
        }

        return valid;
    }

    [Benchmark]
    public int CompiledValidator()
    {
        var valid = 0;
        foreach (var json in events)
        {
            valid += validator.Validate(Topic, json).IsValid ? 1 : 0;
        }

        return valid;
    }

    [Benchmark]
    public async Task<long> CompiledValidatorAndParquetAppend()
    {
        var storage = new LocalLakeStorage(lakeRoot);
        var hour = new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);
        await using var file = await RawFileWriter.CreateAsync(storage, layout, "bench", hour, 64L << 20, CancellationToken.None);
        for (var i = 0; i < events.Count; i++)
        {
            if (validator.Validate(Topic, events[i]).IsValid)
            {
                file.Append(validator.FieldsOf(Topic), new Lineage(0, i, 0));
            }
        }

        return file.Rows;
    }

    /// <summary>
    /// A lane over a backlog: the day spreads over 24 event hours, so each message goes to its hour's file (a few
    /// hundred rows each, as in a backlog batch), and every file is sealed (encoded with its footer) at the end.
    /// </summary>
    [Benchmark]
    public async Task<long> CompiledValidatorAndParquetPerEventHour()
    {
        var storage = new LocalLakeStorage(lakeRoot);
        var files = new Dictionary<DateTimeOffset, RawFileWriter>();
        for (var i = 0; i < events.Count; i++)
        {
            var verdict = validator.Validate(Topic, events[i]);
            if (!verdict.IsValid)
            {
                continue;
            }

            var hour = DataInterval.TruncateToHour(DateTimeOffset.FromUnixTimeMilliseconds(verdict.TsMillis!.Value));
            if (!files.TryGetValue(hour, out var file))
            {
                file = await RawFileWriter.CreateAsync(storage, layout, "bench", hour, 64L << 20, CancellationToken.None);
                files[hour] = file;
            }

            file.Append(validator.FieldsOf(Topic), new Lineage(0, i, 0));
        }

        long rows = 0;
        foreach (var file in files.Values)
        {
            file.Seal();
            rows += file.Rows;
            await file.DisposeAsync();
        }

        return rows;
    }

    private sealed class CapturingSink(string topic, List<byte[]> captured) : IEventSink
    {
        public void Write(string eventTopic, long userKey, ReadOnlySpan<byte> json)
        {
            if (eventTopic == topic)
            {
                captured.Add(json.ToArray());
            }
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
