using System.Globalization;
using System.Security.Cryptography;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Batching;

/// <summary>
/// The open batch: per partition the offset range consumed, and the files being written (one Parquet file per
/// topic and event hour, one quarantine file per topic and day). Until <see cref="CompleteAsync"/> nothing of it is
/// visible; <see cref="DisposeAsync"/> without completing abandons it (rebalance, fencing, crash).
/// </summary>
internal sealed class LandingBatch : IAsyncDisposable
{
    private readonly ILakeStorage storage;
    private readonly long rowGroupBytes;
    private readonly Dictionary<(string Topic, int Partition), (long Start, long End)> ranges = [];
    private readonly Dictionary<(string Topic, DateTimeOffset Hour), RawFileWriter> rawFiles = [];
    private readonly Dictionary<(string Topic, DateTimeOffset Day), QuarantineWriter> quarantineFiles = [];
    private readonly Dictionary<(string Topic, DateTimeOffset Hour, string Rule), long> quarantineCounts = [];
    private readonly List<OffsetGap> gaps = [];

    public LandingBatch(ILakeStorage storage, DateTimeOffset openedAt, long rowGroupBytes)
    {
        this.storage = storage;
        this.rowGroupBytes = rowGroupBytes;
        OpenedAt = openedAt;
        Id = string.Create(CultureInfo.InvariantCulture, $"{openedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
    }

    /// <summary>Unique batch id, also in file names and the lineage column: open time plus a random suffix.</summary>
    public string Id { get; }

    public DateTimeOffset OpenedAt { get; }

    public long Records { get; private set; }

    public long Quarantined { get; private set; }

    public long Bytes { get; private set; }

    public int OpenFiles => rawFiles.Count + quarantineFiles.Count;

    public IReadOnlyList<OffsetRange> Offsets =>
    [
        .. ranges.OrderBy(r => r.Key.Topic, StringComparer.Ordinal).ThenBy(r => r.Key.Partition)
            .Select(r => new OffsetRange(r.Key.Topic, r.Key.Partition, r.Value.Start, r.Value.End)),
    ];

    /// <summary>Offsets the broker no longer had when this batch read past them, in the order found.</summary>
    public IReadOnlyList<OffsetGap> Gaps => gaps;

    public void RecordGap(OffsetGap gap) => gaps.Add(gap);

    /// <summary>Records that the batch consumed <paramref name="offset"/>; its range starts at <paramref name="start"/>.</summary>
    public void Track(string topic, int partition, long start, long offset, int bytes)
    {
        ranges[(topic, partition)] = ranges.TryGetValue((topic, partition), out var range) ? (range.Start, offset + 1) : (start, offset + 1);
        Records++;
        Bytes += bytes;
    }

    public async ValueTask<RawFileWriter> RawFileAsync(TopicLayout layout, DateTimeOffset eventHour, CancellationToken cancellationToken)
    {
        if (!rawFiles.TryGetValue((layout.Topic, eventHour), out var file))
        {
            file = await RawFileWriter.CreateAsync(storage, layout, Id, eventHour, rowGroupBytes, cancellationToken).ConfigureAwait(false);
            rawFiles[(layout.Topic, eventHour)] = file;
        }

        return file;
    }

    public async ValueTask QuarantineAsync(
        string topic, int partition, long offset, long kafkaTimestampMs, byte[]? value, Verdict verdict, CancellationToken cancellationToken)
    {
        // Counted by event hour when the message had a readable ts, else by the hour Kafka received it.
        var hour = DataInterval.TruncateToHour(DateTimeOffset.FromUnixTimeMilliseconds(verdict.TsMillis ?? kafkaTimestampMs));
        var day = new DateTimeOffset(hour.Date, TimeSpan.Zero);
        if (!quarantineFiles.TryGetValue((topic, day), out var file))
        {
            file = await QuarantineWriter.CreateAsync(storage, topic, day, Id, cancellationToken).ConfigureAwait(false);
            quarantineFiles[(topic, day)] = file;
        }

        file.Append(partition, offset, kafkaTimestampMs, value, verdict);
        var key = (topic, hour, verdict.Rule!);
        quarantineCounts[key] = quarantineCounts.GetValueOrDefault(key) + 1;
        Quarantined++;
    }

    /// <summary>Finishes and publishes every file (create-only); returns them with the batch's quarantine counts.</summary>
    public async Task<(IReadOnlyList<CommittedFile> Files, IReadOnlyList<QuarantineCount> Quarantine)> CompleteAsync(CancellationToken cancellationToken)
    {
        // A batch over a backlog touches hundreds of (topic, hour) files; each needs its last row group encoded and
        // an fsync. They are independent, so finish them side by side; the caller commits only after all are done.
        var completions = rawFiles.Values.Select(f => (Func<CancellationToken, Task<CommittedFile>>)f.CompleteAsync)
            .Concat(quarantineFiles.Values.Select(f => (Func<CancellationToken, Task<CommittedFile>>)f.CompleteAsync))
            .ToList();
        var files = new CommittedFile[completions.Count];
        await Parallel.ForAsync(
            0,
            completions.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
            async (i, token) => files[i] = await completions[i](token).ConfigureAwait(false)).ConfigureAwait(false);
        rawFiles.Clear();
        quarantineFiles.Clear();
        var counts = quarantineCounts.Select(c => new QuarantineCount(c.Key.Topic, c.Key.Hour, c.Key.Rule, c.Value))
            .OrderBy(c => c.Topic, StringComparer.Ordinal).ThenBy(c => c.EventHour).ThenBy(c => c.Rule, StringComparer.Ordinal)
            .ToList();
        return (files, counts);
    }

    public async ValueTask DisposeAsync()
    {
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
    }
}
