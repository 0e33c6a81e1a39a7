using System.Globalization;
using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Lake.Storage;

namespace RhythmFlow.Lake;

/// <summary>
/// The lake commit log: numbered, create-only records under <c>_commits/</c>. Readers (the transform, data
/// quality, <c>lake status</c>) use it to know which files exist and what arrived since they last looked; the
/// landing job appends to it and resumes from it. Not thread-safe: one instance per reader or writer.
/// </summary>
/// <remarks>
/// Appending is optimistic: a writer reads the log to its end, checks its batch against it (each partition range
/// must start where the log says that partition ends), then creates record <c>last + 1</c> create-only. If another
/// writer took that number first, the create fails, the writer reads the new record and checks again. So every
/// record was checked against all records before it, and two writers can never both commit the same offsets.
/// </remarks>
public sealed class LakeCommitLog
{
    public const string Folder = "_commits";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private readonly ILakeStorage storage;
    private readonly List<LakeCommit> commits = [];
    private readonly Dictionary<(string Topic, int Partition), long> nextOffsets = [];
    private readonly HashSet<string> committedKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> deletedKeys = new(StringComparer.Ordinal);

    private LakeCommitLog(ILakeStorage storage) => this.storage = storage;

    /// <summary>Every record in sequence order (sequences start at 1 and have no gaps).</summary>
    public IReadOnlyList<LakeCommit> Commits => commits;

    /// <summary>The sequence of the last record read, or 0 for an empty log.</summary>
    public long LastSequence => commits.Count == 0 ? 0 : commits[^1].Sequence;

    /// <summary>Per topic partition, the first offset no batch has landed yet (where landing resumes).</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long> NextOffsets => nextOffsets;

    /// <summary>Reads the whole log.</summary>
    public static async Task<LakeCommitLog> OpenAsync(ILakeStorage storage, CancellationToken cancellationToken = default)
    {
        var log = new LakeCommitLog(storage);
        await log.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return log;
    }

    /// <summary>The storage key of record <paramref name="sequence"/>; fixed width so keys sort by sequence.</summary>
    public static string KeyOf(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{Folder}/{sequence:D12}.json");

    /// <summary>Reads the records appended since the last read; returns how many.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var added = 0;
        while (await storage.TryReadAllBytesAsync(KeyOf(LastSequence + 1), cancellationToken).ConfigureAwait(false) is { } bytes)
        {
            Add(Deserialize(bytes, KeyOf(LastSequence + 1)));
            added++;
        }

        return added;
    }

    /// <summary>True when a committed batch lists the file: only such files are part of the lake.</summary>
    public bool IsCommitted(string key) => committedKeys.Contains(key);

    /// <summary>The committed raw Parquet files of one topic and UTC event hour, oldest batch first.</summary>
    public IEnumerable<CommittedFile> RawFiles(string topic, DateTimeOffset eventHour)
    {
        var hour = DataInterval.TruncateToHour(eventHour.ToUniversalTime());
        return BatchFiles(commits).Where(f => f.Kind == LakeFileKind.Raw && f.Topic == topic && f.EventHour == hour);
    }

    /// <summary>The records after <paramref name="sequence"/>: what arrived since a reader last looked.</summary>
    public IEnumerable<LakeCommit> CommitsAfter(long sequence) => commits.Where(c => c.Sequence > sequence);

    /// <summary>The (topic, event hour) pairs that received raw files in records after <paramref name="sequence"/>.</summary>
    public IReadOnlySet<(string Topic, DateTimeOffset EventHour)> HoursChangedAfter(long sequence) =>
        BatchFiles(CommitsAfter(sequence)).Where(f => f.Kind == LakeFileKind.Raw).Select(f => (f.Topic, f.EventHour)).ToHashSet();

    /// <summary>Quarantined messages per topic, event hour and rule, summed over all batches.</summary>
    public IReadOnlyList<QuarantineCount> QuarantineTotals() =>
    [
        .. commits.SelectMany(c => c.Quarantine)
            .GroupBy(q => (q.Topic, q.EventHour, q.Rule))
            .Select(g => new QuarantineCount(g.Key.Topic, g.Key.EventHour, g.Key.Rule, g.Sum(q => q.Count)))
            .OrderBy(q => q.Topic, StringComparer.Ordinal).ThenBy(q => q.EventHour).ThenBy(q => q.Rule, StringComparer.Ordinal),
    ];

    /// <summary>Every offset gap a batch recorded (offsets trimmed from the broker before landing), in log order.</summary>
    public IReadOnlyList<OffsetGap> Gaps() => [.. commits.SelectMany(c => c.Gaps)];

    /// <summary>
    /// Appends a record built from <paramref name="draft"/> (its sequence is assigned here), after checking it
    /// against every record before it. Throws <see cref="LakeCommitConflictException"/> when a partition range does
    /// not start where the log says the partition ends, when a file it lists was deleted by a recovery, or when a
    /// recovery would delete a committed file.
    /// </summary>
    public async Task<LakeCommit> AppendAsync(LakeCommit draft, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            Check(draft);
            var commit = draft with { Sequence = LastSequence + 1 };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(commit, Json);
            if (await storage.TryCreateAsync(KeyOf(commit.Sequence), bytes, cancellationToken).ConfigureAwait(false))
            {
                Add(commit);
                return commit;
            }
        }
    }

    private void Check(LakeCommit draft)
    {
        foreach (var range in draft.Offsets)
        {
            if (nextOffsets.TryGetValue((range.Topic, range.Partition), out var next) && next != range.Start)
            {
                throw new LakeCommitConflictException(
                    $"Batch {draft.BatchId} starts {range.Topic}[{range.Partition}] at offset {range.Start}, but the commit log " +
                    $"has landed it up to {next} (record {LastSequence}).");
            }
        }

        if (draft.Files.FirstOrDefault(f => deletedKeys.Contains(f.Key)) is { } deleted)
        {
            throw new LakeCommitConflictException($"Batch {draft.BatchId} lists {deleted.Key}, which a recovery already deleted as an orphan.");
        }

        if (draft.Deleted.FirstOrDefault(committedKeys.Contains) is { } committed)
        {
            throw new LakeCommitConflictException($"Recovery {draft.BatchId} would delete {committed}, which a batch has committed.");
        }
    }

    private void Add(LakeCommit commit)
    {
        commits.Add(commit);
        foreach (var range in commit.Offsets)
        {
            var key = (range.Topic, range.Partition);
            nextOffsets[key] = Math.Max(range.End, nextOffsets.GetValueOrDefault(key));
        }

        foreach (var file in commit.Files)
        {
            committedKeys.Add(file.Key);
        }

        deletedKeys.UnionWith(commit.Deleted);
    }

    private static IEnumerable<CommittedFile> BatchFiles(IEnumerable<LakeCommit> records) =>
        records.Where(c => c.Kind == LakeCommitKind.Batch).SelectMany(c => c.Files);

    private static LakeCommit Deserialize(byte[] bytes, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<LakeCommit>(bytes, Json)
                ?? throw new JsonException("the record is null");
        }
        catch (JsonException ex)
        {
            throw new RhythmFlowException(
                $"Lake commit record {key} is not readable: {ex.Message}",
                "Commit records are written create-only and never edited; restore the file from backup or move the lake aside.",
                ex);
        }
    }
}
