using System.Text.Json.Serialization;

namespace RhythmFlow.Lake;

/// <summary>The Kafka offsets a batch consumed from one partition: every offset in [Start, End).</summary>
public sealed record OffsetRange(string Topic, int Partition, long Start, long End);

/// <summary>
/// Offsets [From, To) of a partition that were gone from the broker before landing read them (retention or the dev
/// broker's bounded log trimmed them): lost to the lake, recorded so readers and data-quality checks can see it.
/// </summary>
public sealed record OffsetGap(string Topic, int Partition, long From, long To);

[JsonConverter(typeof(JsonStringEnumConverter<LakeFileKind>))]
public enum LakeFileKind
{
    /// <summary>A Parquet file of valid events under <c>raw/&lt;topic&gt;/date=/hour=/</c>.</summary>
    Raw,

    /// <summary>An NDJSON file of rejected messages under <c>quarantine/&lt;topic&gt;/date=/</c>.</summary>
    Quarantine,
}

/// <summary>
/// One file a batch published. <see cref="EventHour"/> is the UTC event hour of a raw file's rows; for a
/// quarantine file it is the start of its UTC day (the folder it lives in).
/// </summary>
public sealed record CommittedFile(string Key, LakeFileKind Kind, string Topic, DateTimeOffset EventHour, long Rows, long Bytes);

/// <summary>
/// How many messages of a topic a batch quarantined for one rule, by hour: the event hour when the message had a
/// readable <c>ts</c>, otherwise the hour of its Kafka timestamp.
/// </summary>
public sealed record QuarantineCount(string Topic, DateTimeOffset EventHour, string Rule, long Count);

/// <summary>What a batch did, for the structured batch log line and <c>lake status</c>.</summary>
public sealed record BatchStats(long Records, long Written, long Quarantined, long Bytes, double DurationSeconds, string CloseReason);

[JsonConverter(typeof(JsonStringEnumConverter<LakeCommitKind>))]
public enum LakeCommitKind
{
    /// <summary>A landing batch: its files became visible and its offsets consumed.</summary>
    Batch,

    /// <summary>A recovery: orphan files (written by batches that never committed) listed here were deleted.</summary>
    Recovery,
}

/// <summary>
/// One record of the lake commit log, stored create-only as <c>_commits/&lt;sequence&gt;.json</c>. The log is the
/// source of truth: a file is part of the lake only if a batch record lists it, and a partition's landing resumes
/// at the highest <see cref="OffsetRange.End"/> recorded for it.
/// </summary>
public sealed record LakeCommit(
    long Sequence,
    string BatchId,
    LakeCommitKind Kind,
    DateTimeOffset CommittedAt,
    string Writer,
    string ConsumerGroup,
    IReadOnlyList<OffsetRange> Offsets,
    IReadOnlyList<CommittedFile> Files,
    IReadOnlyList<QuarantineCount> Quarantine,
    IReadOnlyList<string> Deleted,
    BatchStats? Stats)
{
    /// <summary>Offsets inside this batch's ranges that the broker no longer had; empty in records written before gaps were tracked.</summary>
    public IReadOnlyList<OffsetGap> Gaps { get; init; } = [];
}

/// <summary>A commit that the log refused because it would break exactly-once; nothing of it became visible.</summary>
public sealed class LakeCommitConflictException(string message)
    : Contracts.RhythmFlowException(message, "Another landing process owns these partitions now; this batch is discarded and re-read from the commit log.");
