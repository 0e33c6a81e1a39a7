using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Batching;
using RhythmFlow.Landing.Validation;
using Serilog;

namespace RhythmFlow.Landing;

/// <summary>How the landing loop ends.</summary>
public enum LandingMode
{
    /// <summary>Drain what is available (or stop at <see cref="LandingOptions.MaxInterval"/>), commit, return. What Airflow runs.</summary>
    Once,

    /// <summary>Run until cancelled, closing batches on their triggers; on cancellation commit the open batch.</summary>
    Continuous,
}

/// <summary>A published batch: its commit, or why the commit log fenced it.</summary>
internal sealed record Publication(LakeCommit Draft, LakeCommit? Commit, string? FencedBecause, long PublishMs);

/// <summary>What one run landed.</summary>
public sealed record LandingRunSummary(IReadOnlyList<LakeCommit> Commits, int OrphansDeleted, int Fenced)
{
    public long Records => Commits.Sum(c => c.Stats?.Records ?? 0);

    public long Written => Commits.Sum(c => c.Stats?.Written ?? 0);

    public long Quarantined => Commits.Sum(c => c.Stats?.Quarantined ?? 0);

    /// <summary>Offsets lost before landing could read them (retention trimmed them); a non-empty list fails <c>land --once</c>.</summary>
    public IReadOnlyList<OffsetGap> Gaps => [.. Commits.SelectMany(c => c.Gaps)];
}

/// <summary>
/// The landing job: consumes the event topics (continuously in one consumer group, or once by assigning itself every
/// partition), validates each message, streams valid events into Parquet files per topic and event hour and rejected
/// ones into quarantine, and publishes each batch through the lake commit log. The log, not Kafka, decides where each partition resumes and which files exist; Kafka group
/// offsets are committed afterwards as a convenience for lag monitoring. See docs/landing.md for the argument.
/// </summary>
public sealed class LandingJob
{
    // An open raw file costs its encoded bytes plus a few KiB (its upload has no write buffer until published), so the
    // cap is about the per-file cost of publishing, not memory: a backlog batch spreads over many event hours.
    private const int MaxOpenFiles = 1024;
    private const int ClockEvery = 256;
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(10);

    private readonly LandingOptions options;
    private readonly KafkaConsumerOptions kafka;
    private readonly ILakeStorage storage;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Dictionary<string, TopicLayout> topics;
    private readonly string writerId = $"{Environment.MachineName}/{Environment.ProcessId}";

    // Per assigned partition: the next offset to land (null: the log has nothing yet, take the first one seen).
    private readonly Dictionary<(string Topic, int Partition), long?> next = [];
    private readonly HashSet<(string Topic, int Partition)> pendingSeeks = [];
    private readonly HashSet<(string Topic, int Partition)> atEnd = [];

    // Kept from the rebalance callbacks: IConsumer.Assignment is a round trip to librdkafka's thread, far too slow per message.
    private readonly HashSet<(string Topic, int Partition)> assigned = [];
    private readonly List<LakeCommit> commits = [];
    private LakeCommitLog? log;
    private LandingBatch? batch;
    private FetchWakeup? fetchWakeup;
    private (string? Name, TopicLayout? Layout) lastTopic;
    private int fenced;
    private ExceptionDispatchInfo? rebalanceFailure;

    // The closed batch being published (its last row groups encoded, its files written, synced and committed) in the
    // background while the next one fills: two batches in memory at most. Only one at a time: a batch's ranges start
    // where the previous ends.
    private Task<Publication>? publishing;

    public LandingJob(LandingOptions options, KafkaConsumerOptions kafka, ILakeStorage storage, TimeProvider time, ILogger logger)
    {
        this.options = SettingsValidator.Validate(options, LandingOptions.Section);
        this.kafka = kafka;
        this.storage = storage;
        this.time = time;
        this.logger = logger.ForContext<LandingJob>();

        topics = RhythmFlow.Contracts.Topics.All.ToDictionary(t => t, t => new TopicLayout(t), StringComparer.Ordinal);
    }

    /// <summary>The topics consumed; all four event topics unless narrowed (tests).</summary>
    public IReadOnlyList<string> Topics { get; init; } = RhythmFlow.Contracts.Topics.All;

    /// <summary>
    /// Called after each committed batch (progress display, tests), on the thread that published it, before the
    /// consumer-group offsets are committed. Calls never overlap.
    /// </summary>
    public Action<LakeCommit>? Committed { get; init; }

    /// <summary>
    /// Called on the landing thread when a partition has been read to its end (the offset is its end). A caller that
    /// knows what was produced can tell when the job has caught up: the demo steps its simulated clock then.
    /// </summary>
    public Action<TopicPartitionOffset>? ReachedEnd { get; init; }

    public Task<LandingRunSummary> RunAsync(LandingMode mode, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => RunCoreAsync(mode, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task<LandingRunSummary> RunCoreAsync(LandingMode mode, CancellationToken cancellationToken)
    {
        log = await LakeCommitLog.OpenAsync(storage, cancellationToken).ConfigureAwait(false);
        var orphans = await Recovery.RemoveOrphansAsync(storage, log, writerId, kafka.GroupId, time, logger, cancellationToken).ConfigureAwait(false);

        var consumerOptions = LandingConsumer(kafka);
        using var consumer = KafkaConsumerFactory.Create(
            consumerOptions,
            new KafkaRebalanceHandlers
            {
                Assigned = (c, partitions) => Guarded(() => OnAssigned(c, partitions)),
                Revoked = (c, partitions) => Guarded(() => OnRevoked(c, partitions.Select(p => p.TopicPartition))),
                Lost = (c, partitions) => Guarded(() => OnRevoked(c, partitions.Select(p => p.TopicPartition))),
            },
            logger);
        var partitions = await BrokerProbe.WaitAsync(consumer, kafka.BootstrapServers, Topics, options.BrokerTimeout, time, logger, cancellationToken).ConfigureAwait(false);
        if (mode == LandingMode.Once)
        {
            AssignAll(consumer, partitions);
        }
        else
        {
            consumer.Subscribe(Topics);
        }

        var poller = new KafkaMessagePoller(consumer);
        fetchWakeup = new FetchWakeup(consumer, consumerOptions);
        fetchWakeup.Watch(assigned);
        var runStarted = time.GetUtcNow();
        var clock = runStarted;
        var routed = 0L;
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    await CloseBatchAsync(consumer, "shutdown").ConfigureAwait(false);
                    await FinishPublishingAsync(consumer).ConfigureAwait(false);
                    break;
                }

                if (publishing is not null && publishing.IsCompleted)
                {
                    await FinishPublishingAsync(consumer).ConfigureAwait(false);
                }

                ApplyPendingSeeks(consumer);
                var polled = poller.TryPoll(PollTimeout, out var message);
                rebalanceFailure?.Throw();
                if (polled && !message.IsPartitionEof)
                {
                    Route(consumer, in message);
                    routed++;
                }
                else
                {
                    if (polled)
                    {
                        ReachedEndOf(in message);
                    }

                    batch?.Flush();
                }

                // Reading the clock costs about as much as routing a message, so while messages flow it is read every
                // 256 of them (under two milliseconds); the size triggers are still checked at every message.
                if (!polled || message.IsPartitionEof || (routed & (ClockEvery - 1)) == 0)
                {
                    clock = time.GetUtcNow();
                }

                var now = clock;
                if (mode == LandingMode.Once && (Drained() || now - runStarted >= options.MaxInterval))
                {
                    await CloseBatchAsync(consumer, Drained() ? "drained" : "max-interval").ConfigureAwait(false);
                    await FinishPublishingAsync(consumer).ConfigureAwait(false);
                    break;
                }

                if (CloseReason(now) is { } reason)
                {
                    await CloseBatchAsync(consumer, reason).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (batch is not null)
            {
                await batch.DisposeAsync().ConfigureAwait(false);
                batch = null;
            }

            await SettlePublishingAsync().ConfigureAwait(false);
            fetchWakeup.Dispose();
            poller.Dispose();
            consumer.Close();
        }

        rebalanceFailure?.Throw();

        return new LandingRunSummary(commits, orphans, fenced);
    }

    private static KafkaConsumerOptions LandingConsumer(KafkaConsumerOptions source)
    {
        // The configured consumer, plus: --once needs to know when every assigned partition is drained (partition EOF
        // events say so), and a position retention has trimmed away resumes at the log's start, never its end, so the
        // gap check sees and records exactly what was lost.
        var copy = new KafkaConsumerOptions
        {
            BootstrapServers = source.BootstrapServers,
            ClientId = source.ClientId,
            GroupId = source.GroupId,
            AutoOffsetReset = "earliest",
            AssignmentStrategy = source.AssignmentStrategy,
            SessionTimeoutMs = source.SessionTimeoutMs,
            MaxPollIntervalMs = source.MaxPollIntervalMs,
            ReadCommitted = source.ReadCommitted,
            Librdkafka = new Dictionary<string, string>(source.Librdkafka, StringComparer.Ordinal)
            {
                ["enable.partition.eof"] = "true",
            },
        };
        return copy;
    }

    private string? CloseReason(DateTimeOffset now) => batch switch
    {
        null => null,
        { } b when b.Records >= options.MaxRecords => "max-records",
        { } b when b.Bytes >= options.MaxBytes => "max-bytes",
        { } b when b.OpenFiles >= MaxOpenFiles => "open-files",
        { } b when now - b.OpenedAt >= options.MaxInterval => "max-interval",
        _ => null,
    };

    private bool Drained() => assigned.Count > 0 && pendingSeeks.Count == 0 && atEnd.IsSupersetOf(assigned);

    private void ReachedEndOf(in PolledMessage end)
    {
        atEnd.Add((end.Topic, end.Partition));
        ReachedEnd?.Invoke(new TopicPartitionOffset(end.Topic, end.Partition, end.Offset));
    }

    /// <summary>
    /// Runs a rebalance handler. Confluent.Kafka would rethrow a handler's exception from its own Consume, which the
    /// poller bypasses, so the failure is kept and rethrown on the landing thread after the poll that ran it.
    /// </summary>
    private void Guarded(Action handler)
    {
        try
        {
            handler();
        }
        catch (Exception ex)
        {
            rebalanceFailure ??= ExceptionDispatchInfo.Capture(ex);
        }
    }

    private void Route(IConsumer<byte[], byte[]> consumer, in PolledMessage message)
    {
        var key = (message.Topic, message.Partition);
        if (atEnd.Count > 0)
        {
            atEnd.Remove(key);
        }

        var offset = message.Offset;
        ref var expected = ref CollectionsMarshal.GetValueRefOrNullRef(next, key);
        if ((pendingSeeks.Count > 0 && pendingSeeks.Contains(key)) || Unsafe.IsNullRef(ref expected) || offset < expected)
        {
            // Fetched before our seek to the commit log's position took effect, or already landed: skip it.
            return;
        }

        batch ??= new LandingBatch(storage, time.GetUtcNow(), RowGroupBytes(), () => new EventValidator(options, time));
        if (offset > (expected ?? 0) && LostBefore(consumer, key, expected ?? 0, offset) is { } gap)
        {
            batch.RecordGap(gap);
        }

        batch.Add(Layout(message.Topic), key.Partition, expected ?? offset, offset, message.TimestampMs, message.Value);
        expected = offset + 1;
    }

    /// <summary>The poller names a topic with one string throughout, so runs of its messages skip hashing the name.</summary>
    private TopicLayout Layout(string topic)
    {
        if (!ReferenceEquals(topic, lastTopic.Name))
        {
            lastTopic = (topic, topics[topic]);
        }

        return lastTopic.Layout!;
    }

    /// <summary>
    /// The first offset read lies past where landing should resume (or past 0 on a partition's first landing). That is
    /// a loss only if the broker's log now starts after <paramref name="from"/>: transaction markers also skip offsets.
    /// </summary>
    private OffsetGap? LostBefore(IConsumer<byte[], byte[]> consumer, (string Topic, int Partition) key, long from, long offset)
    {
        long logStart;
        try
        {
            logStart = consumer.QueryWatermarkOffsets(new TopicPartition(key.Topic, key.Partition), WatermarkTimeout).Low.Value;
        }
        catch (KafkaException ex)
        {
            // Unknown is reported as lost: a false alarm costs a look, a silent loss costs the data.
            logger.Warning("Could not read the log start of {Topic}[{Partition}] to check offsets {From}..{To}: {Error}", key.Topic, key.Partition, from, offset, ex.Error.Reason);
            logStart = offset;
        }

        if (logStart <= from)
        {
            return null;
        }

        var gap = new OffsetGap(key.Topic, key.Partition, from, Math.Min(logStart, offset));
        logger.Error(
            "Offsets {From}..{To} of {Topic}[{Partition}] are gone from the broker (its log now starts at {LogStart}): {Missing} messages were deleted before landing read them, " +
            "most likely by retention (on the dev broker: its bounded log per partition). They are lost to the lake; the gap is recorded in the batch's commit record. " +
            "Land more often than retention expires, or re-produce the missing range from the source, then check 'rhythmflow lake status'.",
            gap.From,
            gap.To - 1,
            key.Topic,
            key.Partition,
            logStart,
            gap.To - gap.From);
        return gap;
    }

    /// <summary>Row groups are the only per-file buffer; keep a few open files well inside --max-bytes.</summary>
    private long RowGroupBytes() => Math.Clamp(options.MaxBytes / 4, 256 * 1024, 64L * 1024 * 1024);

    /// <summary>
    /// Closes the open batch and starts publishing it in the background, so the next batch fills meanwhile. The
    /// previous batch's publication is finished first: this batch's offset ranges start where that one's end.
    /// </summary>
    private async Task CloseBatchAsync(IConsumer<byte[], byte[]> consumer, string reason)
    {
        await FinishPublishingAsync(consumer).ConfigureAwait(false);
        if (batch is null)
        {
            return;
        }

        var closing = batch;
        batch = null;
        publishing = Task.Run(() => PublishAsync(closing, reason));
    }

    /// <summary>
    /// Writes the batch's files and appends its commit record. Not cancellable: a half-published batch is safe (its
    /// files are orphans) but wasted work.
    /// </summary>
    private async Task<Publication> PublishAsync(LandingBatch closing, string reason)
    {
        var watch = Stopwatch.StartNew();
        await using (closing.ConfigureAwait(false))
        {
            var (files, quarantine) = await closing.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            var stats = new BatchStats(
                closing.Records,
                closing.Records - closing.Quarantined,
                closing.Quarantined,
                files.Sum(f => f.Bytes),
                Math.Round((time.GetUtcNow() - closing.OpenedAt).TotalSeconds, 3),
                reason);
            var draft = new LakeCommit(0, closing.Id, LakeCommitKind.Batch, time.GetUtcNow(), writerId, kafka.GroupId, closing.Offsets, files, quarantine, [], stats)
            {
                Gaps = [.. closing.Gaps],
            };
            try
            {
                var commit = await log!.AppendAsync(draft, CancellationToken.None).ConfigureAwait(false);
                Committed?.Invoke(commit);
                return new Publication(draft, commit, null, watch.ElapsedMilliseconds);
            }
            catch (LakeCommitConflictException ex)
            {
                foreach (var file in files)
                {
                    await storage.DeleteAsync(file.Key, CancellationToken.None).ConfigureAwait(false);
                }

                return new Publication(draft, null, ex.Message, watch.ElapsedMilliseconds);
            }
        }
    }

    /// <summary>Waits for the batch being published and records the outcome; a fenced batch sends every partition back to the log's offsets.</summary>
    private async Task FinishPublishingAsync(IConsumer<byte[], byte[]> consumer)
    {
        if (publishing is null)
        {
            return;
        }

        // Taken before awaiting: a failed publication fails the run here, once, not again on the way out.
        var pending = publishing;
        publishing = null;
        var publication = await pending.ConfigureAwait(false);
        if (publication.Commit is not { } commit)
        {
            fenced++;
            logger.Warning("Batch {BatchId} was fenced and discarded: {Reason}", publication.Draft.BatchId, publication.FencedBecause);
            ResetToLog();
            return;
        }

        commits.Add(commit);
        CommitGroupOffsets(consumer, commit.Offsets);
        var stats = commit.Stats!;
        logger.Information(
            "Landed batch {BatchId} as commit {Sequence} ({CloseReason}): {Records} records, {Written} written, {Quarantined} quarantined, {Files} files, {Bytes} bytes, {DurationSeconds}s open, published in {PublishMs} ms; offsets {Offsets}; gaps {Gaps}",
            commit.BatchId,
            commit.Sequence,
            stats.CloseReason,
            stats.Records,
            stats.Written,
            stats.Quarantined,
            commit.Files.Count,
            stats.Bytes,
            stats.DurationSeconds,
            publication.PublishMs,
            string.Join(", ", commit.Offsets.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Topic}[{o.Partition}]={o.Start}..{o.End}"))),
            string.Join(", ", commit.Gaps.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Topic}[{g.Partition}]={g.From}..{g.To}"))));
    }

    /// <summary>On the way out after a failure: lets a publication in flight end (it may still commit, which is safe) and reports its own failure.</summary>
    private async Task SettlePublishingAsync()
    {
        if (publishing is null)
        {
            return;
        }

        try
        {
            await publishing.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.Error(ex, "Publishing a batch failed while the landing job was stopping; its files are orphans that the next run removes");
        }

        publishing = null;
    }

    private void CommitGroupOffsets(IConsumer<byte[], byte[]> consumer, IReadOnlyList<OffsetRange> offsets)
    {
        try
        {
            consumer.Commit(offsets.Select(o => new TopicPartitionOffset(o.Topic, o.Partition, o.End)));
        }
        catch (KafkaException ex)
        {
            // Only lag monitoring reads group offsets; the lake commit log already holds the truth.
            logger.Warning("Could not commit consumer-group offsets after the lake commit: {Error}", ex.Error.Reason);
        }
    }

    private void OnAssigned(IConsumer<byte[], byte[]> consumer, IReadOnlyList<TopicPartition> partitions)
    {
        // The log is read here, so no append may be running; rebalance callbacks run inside Consume, on this thread.
        FinishPublishingAsync(consumer).GetAwaiter().GetResult();
        log!.RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        foreach (var tp in partitions)
        {
            var key = (tp.Topic, tp.Partition.Value);
            next[key] = log.NextOffsets.TryGetValue(key, out var resume) ? resume : null;
            pendingSeeks.Add(key);
            atEnd.Remove(key);
            assigned.Add(key);
        }

        fetchWakeup?.Watch(assigned);
        logger.Information("Assigned {Partitions}; resuming from the lake commit log", string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]")));
    }

    /// <summary>
    /// A bounded run reads every partition itself from where the log says, as a batch query over Kafka does, instead of
    /// joining the group: a join costs the broker's initial rebalance delay (3 s by default) on every run and would
    /// rebalance a continuous group. Nothing else changes: a run that overlaps another is fenced by the log.
    /// </summary>
    private void AssignAll(IConsumer<byte[], byte[]> consumer, IReadOnlyList<TopicPartition> partitions)
    {
        var starts = new List<TopicPartitionOffset>(partitions.Count);
        foreach (var tp in partitions)
        {
            var key = (tp.Topic, tp.Partition.Value);
            next[key] = log!.NextOffsets.TryGetValue(key, out var resume) ? resume : null;
            assigned.Add(key);
            starts.Add(new TopicPartitionOffset(tp, StartOf(key)));
        }

        consumer.Assign(starts);
        logger.Information("Assigned {Partitions} directly (--once); resuming from the lake commit log", string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]")));
    }

    private void OnRevoked(IConsumer<byte[], byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        // A closed batch is committed before its partitions go; the new owner then resumes after it.
        FinishPublishingAsync(consumer).GetAwaiter().GetResult();
        var revoked = partitions.Select(p => (p.Topic, p.Partition.Value)).ToList();
        if (batch is not null)
        {
            // The open batch may hold revoked partitions' data; the new owner re-reads it from the log's offsets.
            logger.Information("Partitions revoked; discarding open batch {BatchId} ({Records} records, not committed)", batch.Id, batch.Records);
            batch.DisposeAsync().AsTask().GetAwaiter().GetResult();
            batch = null;
        }

        foreach (var key in revoked)
        {
            next.Remove(key);
            pendingSeeks.Remove(key);
            atEnd.Remove(key);
            assigned.Remove(key);
        }

        fetchWakeup?.Watch(assigned);

        // Partitions kept across the rebalance restart from the log too, since the open batch is gone.
        foreach (var key in next.Keys.ToList())
        {
            next[key] = log!.NextOffsets.TryGetValue(key, out var resume) ? resume : null;
            pendingSeeks.Add(key);
        }
    }

    private void ResetToLog()
    {
        if (batch is not null)
        {
            // Its ranges start where the fenced batch ended, which the log does not record.
            logger.Information("Discarding open batch {BatchId} ({Records} records, not committed): the batch before it was fenced", batch.Id, batch.Records);
            batch.DisposeAsync().AsTask().GetAwaiter().GetResult();
            batch = null;
        }

        foreach (var key in assigned)
        {
            next[key] = log!.NextOffsets.TryGetValue(key, out var resume) ? resume : null;
            pendingSeeks.Add(key);
            atEnd.Remove(key);
        }
    }

    /// <summary>
    /// Where a partition is read from: the log's position, or offset 0 for a partition the log has never landed. Not the
    /// logical beginning: librdkafka resolves a logical offset with a lookup that it retries only after 500 ms when the
    /// leader's connection is still coming up, which stalled every first run for about half a second. If retention has
    /// trimmed offset 0, the reset to the earliest offset lands what is left and the gap check records the rest.
    /// </summary>
    private Offset StartOf((string Topic, int Partition) key) => next.GetValueOrDefault(key) is { } offset ? new Offset(offset) : new Offset(0);

    private void ApplyPendingSeeks(IConsumer<byte[], byte[]> consumer)
    {
        if (pendingSeeks.Count == 0)
        {
            return;
        }

        foreach (var key in pendingSeeks.ToList())
        {
            var target = StartOf(key);
            try
            {
                consumer.Seek(new TopicPartitionOffset(key.Topic, key.Partition, target));
                pendingSeeks.Remove(key);
            }
            catch (KafkaException ex)
            {
                // Right after an assignment the partition may not be fetchable yet; try again on the next poll.
                logger.Debug("Seek of {Topic}[{Partition}] to {Offset} deferred: {Error}", key.Topic, key.Partition, target, ex.Error.Reason);
            }
        }
    }
}
