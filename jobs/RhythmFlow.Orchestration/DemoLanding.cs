using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing;
using Serilog;

namespace RhythmFlow.Orchestration;

/// <summary>A clock that shows the instant it was last set to; timers and timestamps stay real.</summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset instant) => Interlocked.Exchange(ref ticks, instant.UtcTicks);
}

/// <summary>
/// The demo's landing: what the landing DAG (every two minutes) would have landed had the simulated period happened in
/// real time. The simulator's events go to Kafka one two-minute window of event time at a time; at the end of each
/// window the landing job, which runs all along in one consumer group, reads to the end of every partition, and then
/// its clock (simulated time, <see cref="SimulatedClock"/>) moves to the window's end, so its <c>max-interval</c>
/// trigger commits exactly one batch per window that has events. Producing a window only after the previous one is
/// committed is what keeps batches apart: a clock alone cannot, because a consumer interleaves partitions.
/// </summary>
public sealed class DemoLanding : IEventSink
{
    /// <summary>The landing DAG's schedule (<c>*/2 * * * *</c>) and the landing job's default <c>--max-interval</c>.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    // The in-process broker answers in milliseconds; longer means the landing job is stuck, not slow.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly IEventSink kafka;
    private readonly SimulatedClock clock;
    private readonly TimeProvider time;
    private readonly int partitions;
    private readonly object gate = new();
    private readonly Dictionary<(string Topic, int Partition), long> ends = [];
    private readonly Dictionary<string, long> produced = new(StringComparer.Ordinal);
    private readonly List<LakeCommit> commits = [];
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationToken cancellationToken;
    private Task<LandingRunSummary> job = Task.FromResult(new LandingRunSummary([], 0, 0));
    private DateTimeOffset? window;

    // The end of a window whose events are all written; the clock moves there once the job has read them.
    private DateTimeOffset? sealedEnd;
    private long windowEvents;
    private long landedEvents;

    // Messages in the committed batches so far (under the gate): what a window waits for.
    private long committedRecords;

    private DemoLanding(IEventSink kafka, SimulatedClock clock, TimeProvider time, int partitions, CancellationToken cancellationToken)
    {
        this.kafka = kafka;
        this.clock = clock;
        this.time = time;
        this.partitions = partitions;
        this.cancellationToken = cancellationToken;
        foreach (var topic in Topics.All)
        {
            produced[topic] = 0;
        }
    }

    /// <summary>Batches committed so far, oldest first.</summary>
    public IReadOnlyList<LakeCommit> Commits
    {
        get
        {
            lock (gate)
            {
                return [.. commits];
            }
        }
    }

    /// <summary>Wall time spent landing (the job's start, then sending each window and waiting for its batch), for the stage timings.</summary>
    public TimeSpan LandingTime { get; private set; }

    /// <summary>
    /// Starts the landing job on an empty lake against <paramref name="broker"/> and waits until it has read every
    /// (still empty) partition, so that no message can arrive before its consumer has taken its place.
    /// </summary>
    public static async Task<DemoLanding> StartAsync(
        DevBroker broker, string lakeRoot, DateTimeOffset start, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var storage = new LocalLakeStorage(lakeRoot, time);
        if (Directory.Exists(lakeRoot) && (await LakeCommitLog.OpenAsync(storage, cancellationToken)).Commits is { Count: > 0 } existing)
        {
            throw new UsageException(
                $"The lake at {lakeRoot} already holds {existing.Count} commit records, from a broker that is gone: the demo's new broker numbers its offsets from 0 again, so landing would skip its events.",
                "Run the demo with a fresh --work-dir, or stop the old one's warehouse ('rhythmflow warehouse stop') and remove that work directory: its lake and warehouse belong to the earlier run.");
        }

        var sink = await KafkaEventSink.CreateAsync(
            new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers, Partitions = broker.Partitions }, logger, cancellationToken);
        var landing = new DemoLanding(sink, new SimulatedClock(start), time, broker.Partitions, cancellationToken);
        var consumer = new KafkaConsumerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "rhythmflow-demo-land",

            // An idle fetch waits this long for data; the demo produces a window and then waits for the job, 720 times a day.
            Librdkafka = new Dictionary<string, string>(StringComparer.Ordinal) { ["fetch.wait.max.ms"] = "5" },
        };
        var landingJob = new LandingJob(new LandingOptions { MaxInterval = Window }, consumer, storage, landing.clock, logger)
        {
            Committed = landing.OnCommitted,
            ReachedEnd = landing.OnReachedEnd,
        };
        landing.job = landingJob.RunAsync(LandingMode.Continuous, landing.stop.Token);
        _ = landing.job.ContinueWith(_ => landing.Pulse(), TaskScheduler.Default);
        try
        {
            await Task.Run(() => landing.WaitFor(() => landing.ends.Count == Topics.All.Count * landing.partitions, "take its partitions"), cancellationToken);
            landing.LandingTime = time.GetElapsedTime(started);
            return landing;
        }
        catch
        {
            await landing.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        var windowStart = WindowOf(TimestampOf(json));
        if (window != windowStart)
        {
            if (window is not null)
            {
                LandWindow();
            }

            // The batch opens on the first event the job reads, at the clock's time: the window's start.
            window = windowStart;
            clock.Set(windowStart);
        }

        kafka.Write(topic, userKey, json);
        lock (gate)
        {
            produced[topic]++;
        }

        windowEvents++;
    }

    /// <summary>Lands the open window (the simulator calls this at its end).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (window is not null)
        {
            await Task.Run(LandWindow, cancellationToken);
            window = null;
        }

        await kafka.FlushAsync(cancellationToken);
    }

    /// <summary>Stops the landing job (nothing is open by then) and returns what it landed.</summary>
    public async Task<LandingRunSummary> StopAsync()
    {
        await stop.CancelAsync();
        return await job;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await job;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already reported by the step that saw the job fail; disposal only has to stop it.
        }

        await kafka.DisposeAsync();
        stop.Dispose();
    }

    /// <summary>The start of the two-minute window of simulated time that <paramref name="timestamp"/> falls in.</summary>
    public static DateTimeOffset WindowOf(DateTimeOffset timestamp) =>
        new(timestamp.UtcTicks - (timestamp.UtcTicks % Window.Ticks), TimeSpan.Zero);

    private static DateTimeOffset TimestampOf(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTs = reader.ValueTextEquals("ts"u8);
                reader.Read();
                if (isTs && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var millis))
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds(millis);
                }

                reader.Skip();
            }
        }

        throw new RhythmFlowException(
            "demo: a simulated event has no numeric 'ts' (event time in epoch milliseconds), so it cannot be placed in a landing window.",
            "The simulator and the event contract disagree; run the simulator's tests.");
    }

    /// <summary>
    /// Seals the window (no more events for it), sends its events, and waits for its batch: the clock moves to the
    /// window's end once the job has read every event of the window, which <see cref="OnReachedEnd"/> sees on the
    /// landing thread just before the job checks its batch triggers, so the batch closes at once rather than after
    /// the job's next idle poll.
    /// </summary>
    private void LandWindow()
    {
        var watch = Stopwatch.StartNew();
        var end = window!.Value + Window;
        lock (gate)
        {
            if (CaughtUp())
            {
                clock.Set(end);
            }
            else
            {
                sealedEnd = end;
            }
        }

        kafka.FlushAsync(cancellationToken).GetAwaiter().GetResult();
        var expected = landedEvents + windowEvents;
        WaitFor(() => committedRecords >= expected, $"land the window {PipelineDag.Iso(window.Value)} .. {PipelineDag.Iso(end)}");
        long landed;
        lock (gate)
        {
            landed = committedRecords;
        }

        if (landed != expected)
        {
            throw new RhythmFlowException(
                $"demo: after the window {PipelineDag.Iso(window.Value)} the lake holds {landed:N0} messages, {expected:N0} were produced.",
                "A batch mixed two windows; the landing job's log above shows its batches.");
        }

        landedEvents = expected;
        windowEvents = 0;
        LandingTime += watch.Elapsed;
    }

    private bool CaughtUp() =>
        produced.All(p => ends.Where(e => e.Key.Topic == p.Key).Sum(e => e.Value) == p.Value);

    /// <summary>Waits (bounded) until <paramref name="condition"/>, read under the lock, holds; fails if the landing job stopped.</summary>
    private void WaitFor(Func<bool> condition, string what)
    {
        var started = time.GetTimestamp();
        lock (gate)
        {
            while (!condition())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (job.IsCompleted)
                {
                    job.GetAwaiter().GetResult();
                    throw new RhythmFlowException($"demo: the landing job stopped before it could {what}.", "Its log above says why.");
                }

                var left = StepTimeout - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new RhythmFlowException(
                        $"demo: the landing job did not {what} within {StepTimeout.TotalSeconds:0} s.",
                        "Its log above shows where it stopped; the dev broker runs in this process, so this is not a slow network.");
                }

                // Short slices so cancellation is noticed without a registration per wait.
                Monitor.Wait(gate, left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
            }
        }
    }

    private void OnReachedEnd(TopicPartitionOffset end)
    {
        lock (gate)
        {
            ends[(end.Topic, end.Partition.Value)] = end.Offset.Value;
            if (sealedEnd is { } windowEnd && CaughtUp())
            {
                clock.Set(windowEnd);
                sealedEnd = null;
            }

            Monitor.PulseAll(gate);
        }
    }

    private void OnCommitted(LakeCommit commit)
    {
        lock (gate)
        {
            commits.Add(commit);
            committedRecords += commit.Stats?.Records ?? 0;
            Monitor.PulseAll(gate);
        }
    }

    private void Pulse()
    {
        lock (gate)
        {
            Monitor.PulseAll(gate);
        }
    }
}
