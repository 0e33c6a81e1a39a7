using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Batching;

/// <summary>One consumed message on its way to its topic's lane; its value lives in the chunk's slab.</summary>
internal readonly record struct ConsumedMessage(int Partition, long Offset, long KafkaTimestampMs, ReadOnlyMemory<byte> Value);

/// <summary>What a lane landed of one partition (valid and quarantined): how many messages, first and last offset.</summary>
internal readonly record struct PartitionTally(long Count, long First, long Last);

/// <summary>
/// The part of an open batch that belongs to one topic: a thread of its own validates the topic's messages and
/// streams them into the topic's Parquet files (one per event hour) and quarantine files (one per day). The consume
/// thread only reads Kafka, tracks offsets and hands messages over in chunks, so the topics of a batch are
/// validated and encoded on all cores. Per partition the order is kept (one lane per topic, chunks in order), and
/// nothing here decides what is committed: the batch publishes only after every lane has drained.
/// </summary>
internal sealed class TopicLane
{
    private const int ChunkSize = 1024;

    // Bounds what waits for a busy lane (chunks x ChunkSize messages); the consume thread blocks beyond it. librdkafka
    // hands messages over a partition's fetched run at a time, so one topic's lane gets thousands in a row while the
    // others get none: a lane must hold such runs, or the consume thread blocks on it while the other lanes idle.
    private const int ChunksQueued = 24;

    // Each chunk copies its messages' values into one pooled slab, returned when the lane has landed the chunk, so a
    // message costs no allocation of its own; a chunk whose next value does not fit is handed over early.
    private const int SlabBytes = 512 * 1024;

    private readonly ILakeStorage storage;
    private readonly string batchId;
    private readonly long rowGroupBytes;
    private readonly TopicLayout layout;
    private readonly EventValidator validator;
    private readonly BlockingCollection<(ConsumedMessage[] Messages, int Count, byte[] Slab)> queue = new(ChunksQueued);
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<DateTimeOffset, RawFileWriter> rawFiles = [];
    private readonly Dictionary<DateTimeOffset, QuarantineWriter> quarantineFiles = [];
    private readonly Dictionary<(DateTimeOffset Hour, string Rule), long> quarantineCounts = [];
    private ConsumedMessage[] chunk = ArrayPool<ConsumedMessage>.Shared.Rent(ChunkSize);
    private int chunkCount;
    private byte[] slab = ArrayPool<byte>.Shared.Rent(SlabBytes);
    private int slabUsed;
    private PartitionTally[] tallies = [];
    private int openFiles;
    private long quarantined;
    private ExceptionDispatchInfo? failure;

    public TopicLane(ILakeStorage storage, string batchId, long rowGroupBytes, TopicLayout layout, EventValidator validator)
    {
        this.storage = storage;
        this.batchId = batchId;
        this.rowGroupBytes = rowGroupBytes;
        this.layout = layout;
        this.validator = validator;
        new Thread(Run) { IsBackground = true, Name = $"land {layout.Topic}" }.Start();
    }

    /// <summary>Files open so far (read by the consume thread for the open-files trigger).</summary>
    public int OpenFiles => Volatile.Read(ref openFiles);

    /// <summary>Messages quarantined; final once <see cref="DrainAsync"/> returned.</summary>
    public long Quarantined => Interlocked.Read(ref quarantined);

    /// <summary>
    /// Hands one message to the lane, copying <paramref name="value"/> (consume thread only); blocks while the lane is
    /// <see cref="ChunksQueued"/> chunks behind.
    /// </summary>
    public void Add(int partition, long offset, long kafkaTimestampMs, ReadOnlySpan<byte> value)
    {
        if (slabUsed + value.Length > slab.Length)
        {
            if (chunkCount > 0)
            {
                Enqueue();
            }

            if (value.Length > slab.Length)
            {
                ArrayPool<byte>.Shared.Return(slab);
                slab = ArrayPool<byte>.Shared.Rent(value.Length);
            }
        }

        value.CopyTo(slab.AsSpan(slabUsed));
        chunk[chunkCount++] = new ConsumedMessage(partition, offset, kafkaTimestampMs, slab.AsMemory(slabUsed, value.Length));
        slabUsed += value.Length;
        if (chunkCount == ChunkSize)
        {
            Enqueue();
        }
    }

    /// <summary>Hands over a partly filled chunk (consume thread only): when Kafka goes quiet, a trickle is landed now.</summary>
    public void Flush()
    {
        if (chunkCount > 0)
        {
            Enqueue();
        }
    }

    /// <summary>Lands everything handed over and stops the lane's thread; throws what failed on it.</summary>
    public Task DrainAsync()
    {
        if (!queue.IsAddingCompleted)
        {
            Flush();
            queue.CompleteAdding();
        }

        return finished.Task;
    }

    /// <summary>Publishes every file of the lane create-only (after <see cref="DrainAsync"/>).</summary>
    public IEnumerable<Func<CancellationToken, Task<CommittedFile>>> Completions() =>
        rawFiles.Values.Select(f => (Func<CancellationToken, Task<CommittedFile>>)f.CompleteAsync)
            .Concat(quarantineFiles.Values.Select(f => (Func<CancellationToken, Task<CommittedFile>>)f.CompleteAsync));

    /// <summary>What the lane landed of <paramref name="partition"/>; final once <see cref="DrainAsync"/> returned.</summary>
    public PartitionTally Landed(int partition) => partition < tallies.Length ? tallies[partition] : default;

    /// <summary>Messages landed, of every partition; final once <see cref="DrainAsync"/> returned.</summary>
    public long LandedMessages => tallies.Sum(t => t.Count);

    /// <summary>Rows in the lane's Parquet and quarantine files; final once <see cref="DrainAsync"/> returned.</summary>
    public long FileRows => rawFiles.Values.Sum(f => f.Rows) + quarantineFiles.Values.Sum(f => f.Rows);

    public IEnumerable<QuarantineCount> QuarantineCounts() =>
        quarantineCounts.Select(c => new QuarantineCount(layout.Topic, c.Key.Hour, c.Key.Rule, c.Value));

    /// <summary>Stops the lane without landing what is queued and abandons its files (rebalance, fencing, failure).</summary>
    public async ValueTask AbandonAsync()
    {
        stop.Cancel();
        queue.CompleteAdding();
        try
        {
            await finished.Task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Abandoning discards the lane's work, whatever went wrong with it; the batch is not committed.
        }

        foreach (var file in rawFiles.Values)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var file in quarantineFiles.Values)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }

        rawFiles.Clear();
        quarantineFiles.Clear();
        ReturnChunk(chunk, slab);
        chunkCount = 0;
        stop.Dispose();
    }

    private void Enqueue()
    {
        try
        {
            queue.Add((chunk, chunkCount, slab), stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The lane's thread failed and stopped taking chunks; surface why on the consume thread.
            failure?.Throw();
            throw;
        }

        chunk = ArrayPool<ConsumedMessage>.Shared.Rent(ChunkSize);
        chunkCount = 0;
        slab = ArrayPool<byte>.Shared.Rent(SlabBytes);
        slabUsed = 0;
    }

    private void Run()
    {
        try
        {
            foreach (var (messages, count, values) in queue.GetConsumingEnumerable(stop.Token))
            {
                for (var i = 0; i < count; i++)
                {
                    Land(in messages[i]);
                }

                ReturnChunk(messages, values);
            }

            // Sealed here, on the lane's own thread, so the batch's files are encoded on all cores and publishing is left with the I/O.
            foreach (var file in rawFiles.Values)
            {
                file.Seal();
            }

            finished.SetResult();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            finished.SetResult();
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
            stop.Cancel();
            finished.SetException(ex);
        }
    }

    // Beginning an upload is synchronous on the local store and one request on an object store, once per file.
    private void Land(in ConsumedMessage message)
    {
        Tally(message.Partition, message.Offset);
        var verdict = validator.Validate(layout.Topic, message.Value);
        if (verdict.IsValid)
        {
            var hour = DataInterval.TruncateToHour(DateTimeOffset.FromUnixTimeMilliseconds(verdict.TsMillis!.Value));
            if (!rawFiles.TryGetValue(hour, out var file))
            {
                file = RawFileWriter.CreateAsync(storage, layout, batchId, hour, rowGroupBytes, CancellationToken.None).GetAwaiter().GetResult();
                rawFiles[hour] = file;
                Interlocked.Increment(ref openFiles);
            }

            file.Append(validator.FieldsOf(layout.Topic), new Lineage(message.Partition, message.Offset, message.KafkaTimestampMs));
            return;
        }

        // Counted by event hour when the message had a readable ts, else by the hour Kafka received it.
        var countHour = DataInterval.TruncateToHour(DateTimeOffset.FromUnixTimeMilliseconds(verdict.TsMillis ?? message.KafkaTimestampMs));
        var day = new DateTimeOffset(countHour.Date, TimeSpan.Zero);
        if (!quarantineFiles.TryGetValue(day, out var quarantine))
        {
            quarantine = QuarantineWriter.CreateAsync(storage, layout.Topic, day, batchId, CancellationToken.None).GetAwaiter().GetResult();
            quarantineFiles[day] = quarantine;
            Interlocked.Increment(ref openFiles);
        }

        quarantine.Append(message.Partition, message.Offset, message.KafkaTimestampMs, message.Value.Span, verdict);
        var key = (countHour, verdict.Rule!);
        quarantineCounts[key] = quarantineCounts.GetValueOrDefault(key) + 1;
        Interlocked.Increment(ref quarantined);
    }

    /// <summary>
    /// Counts the message for the check before the batch commits, and refuses an offset that does not follow the
    /// partition's last one: the lane must land exactly the messages the consume thread handed over, in order.
    /// </summary>
    private void Tally(int partition, long offset)
    {
        if (partition >= tallies.Length)
        {
            Array.Resize(ref tallies, Math.Max(partition + 1, tallies.Length * 2));
        }

        ref var tally = ref tallies[partition];
        if (tally.Count > 0 && offset <= tally.Last)
        {
            throw new RhythmFlowException(
                $"Landing batch {batchId}: the {layout.Topic} lane was handed offset {offset} of partition {partition} after offset {tally.Last}; a batch must hold each consumed offset once, in order.",
                "This is a landing bug, and the batch is not committed: the next run lands these offsets again from the commit log. Report it with this log.");
        }

        tally = new PartitionTally(tally.Count + 1, tally.Count == 0 ? offset : tally.First, offset);
    }

    private static void ReturnChunk(ConsumedMessage[] messages, byte[] values)
    {
        ArrayPool<ConsumedMessage>.Shared.Return(messages, clearArray: true);
        ArrayPool<byte>.Shared.Return(values);
    }
}
