using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Batching;

/// <summary>
/// The open batch: per partition the offset range consumed, and per topic a <see cref="TopicLane"/> that validates
/// and writes the files (one Parquet file per topic and event hour, one quarantine file per topic and day). Until
/// <see cref="CompleteAsync"/> nothing of it is visible; <see cref="DisposeAsync"/> without completing abandons it
/// (rebalance, fencing, crash). Offsets are tracked on the consume thread; the lanes only write.
/// </summary>
internal sealed class LandingBatch : IAsyncDisposable
{
    private const int ConcurrentPublishes = 16;

    private readonly ILakeStorage storage;
    private readonly long rowGroupBytes;
    private readonly Func<EventValidator> newValidator;
    private readonly Dictionary<(string Topic, int Partition), (long Start, long End, long Count)> ranges = [];
    private readonly Dictionary<string, TopicLane> lanes = new(StringComparer.Ordinal);
    private readonly List<OffsetGap> gaps = [];

    // Messages come in runs of one partition; the run's lane is kept to skip hashing the topic name each time.
    private TopicLayout? lastLayout;
    private TopicLane? lastLane;

    /// <param name="newValidator">A validator per lane: a validator holds the message it parsed last, and the lanes of a
    /// batch being published still run while the next batch's lanes start.</param>
    public LandingBatch(ILakeStorage storage, DateTimeOffset openedAt, long rowGroupBytes, Func<EventValidator> newValidator)
    {
        this.storage = storage;
        this.rowGroupBytes = rowGroupBytes;
        this.newValidator = newValidator;
        OpenedAt = openedAt;
        Id = string.Create(CultureInfo.InvariantCulture, $"{openedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
    }

    /// <summary>Unique batch id, also in file names and the lineage column: open time plus a random suffix.</summary>
    public string Id { get; }

    public DateTimeOffset OpenedAt { get; }

    public long Records { get; private set; }

    /// <summary>Messages quarantined; known once <see cref="CompleteAsync"/> returned.</summary>
    public long Quarantined { get; private set; }

    public long Bytes { get; private set; }

    public int OpenFiles
    {
        get
        {
            var open = 0;
            foreach (var lane in lanes.Values)
            {
                open += lane.OpenFiles;
            }

            return open;
        }
    }

    public IReadOnlyList<OffsetRange> Offsets =>
    [
        .. ranges.OrderBy(r => r.Key.Topic, StringComparer.Ordinal).ThenBy(r => r.Key.Partition)
            .Select(r => new OffsetRange(r.Key.Topic, r.Key.Partition, r.Value.Start, r.Value.End)),
    ];

    /// <summary>Offsets the broker no longer had when this batch read past them, in the order found.</summary>
    public IReadOnlyList<OffsetGap> Gaps => gaps;

    public void RecordGap(OffsetGap gap) => gaps.Add(gap);

    /// <summary>
    /// Takes the message at <paramref name="offset"/> into the batch (its partition's range starts at
    /// <paramref name="start"/>) and hands it to its topic's lane, which validates and writes it.
    /// </summary>
    public void Add(TopicLayout layout, int partition, long start, long offset, long kafkaTimestampMs, ReadOnlySpan<byte> value)
    {
        ref var range = ref CollectionsMarshal.GetValueRefOrAddDefault(ranges, (layout.Topic, partition), out var seen);
        range = (seen ? range.Start : start, offset + 1, range.Count + 1);
        Records++;
        Bytes += value.Length;
        LaneOf(layout).Add(partition, offset, kafkaTimestampMs, value);
    }

    private TopicLane LaneOf(TopicLayout layout)
    {
        if (ReferenceEquals(layout, lastLayout))
        {
            return lastLane!;
        }

        if (!lanes.TryGetValue(layout.Topic, out var lane))
        {
            lane = new TopicLane(storage, Id, rowGroupBytes, layout, newValidator());
            lanes[layout.Topic] = lane;
        }

        (lastLayout, lastLane) = (layout, lane);
        return lane;
    }

    /// <summary>Hands the lanes what waits in partly filled chunks (when Kafka has nothing more for now).</summary>
    public void Flush()
    {
        foreach (var lane in lanes.Values)
        {
            lane.Flush();
        }
    }

    /// <summary>Lands what the lanes hold, then publishes every file (create-only); returns them with the quarantine counts.</summary>
    public async Task<(IReadOnlyList<CommittedFile> Files, IReadOnlyList<QuarantineCount> Quarantine)> CompleteAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(lanes.Values.Select(l => l.DrainAsync())).ConfigureAwait(false);
        CheckLanesLandedWhatWasConsumed();

        // A batch over a backlog touches hundreds of (topic, hour) files, which the lanes have encoded; each still needs
        // its bytes written, an fsync and a link. That is I/O, and concurrent fsyncs share the file system's journal
        // commits, so many run side by side; the caller commits only after all are done.
        var completions = lanes.Values.SelectMany(l => l.Completions()).ToList();
        var files = new CommittedFile[completions.Count];
        await Parallel.ForAsync(
            0,
            completions.Count,
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentPublishes, CancellationToken = cancellationToken },
            async (i, token) => files[i] = await completions[i](token).ConfigureAwait(false)).ConfigureAwait(false);
        var counts = lanes.Values.SelectMany(l => l.QuarantineCounts())
            .OrderBy(c => c.Topic, StringComparer.Ordinal).ThenBy(c => c.EventHour).ThenBy(c => c.Rule, StringComparer.Ordinal)
            .ToList();
        Quarantined = lanes.Values.Sum(l => l.Quarantined);
        lanes.Clear();
        return (files, counts);
    }

    /// <summary>
    /// The commit record will claim the batch's offset ranges, so before anything is published every lane must have
    /// landed exactly the messages consumed of each partition (as many, and inside the range), and its files must hold them all.
    /// </summary>
    private void CheckLanesLandedWhatWasConsumed()
    {
        foreach (var ((topic, partition), range) in ranges)
        {
            var tally = lanes[topic].Landed(partition);
            if (tally.Count != range.Count || tally.First < range.Start || tally.Last >= range.End)
            {
                throw Inconsistent(string.Create(
                    CultureInfo.InvariantCulture,
                    $"it consumed {range.Count} messages of {topic}[{partition}] in offsets {range.Start}..{range.End - 1}, but its lane landed {tally.Count} in offsets {tally.First}..{tally.Last}"));
            }
        }

        if (lanes.Values.Sum(l => l.LandedMessages) is var landed && landed != Records)
        {
            throw Inconsistent($"its lanes landed {landed} messages of the {Records} consumed");
        }

        if (lanes.Values.Sum(l => l.FileRows) is var rows && rows != Records)
        {
            throw Inconsistent($"its files hold {rows} rows for the {Records} messages consumed");
        }
    }

    private RhythmFlowException Inconsistent(string what) => new(
        $"Landing batch {Id} is not committed: {what}.",
        "This is a landing bug; the batch is not committed, and the next run lands these offsets again from the commit log. Report it with this log.");

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in lanes.Values)
        {
            await lane.AbandonAsync().ConfigureAwait(false);
        }

        lanes.Clear();
    }
}
