using RhythmFlow.Contracts;
using RhythmFlow.Lake;

namespace RhythmFlow.Transform;

/// <summary>A committed raw file of the lake, with the batch and commit record that published it.</summary>
public sealed record LakeHourFile(string BatchId, long Sequence, CommittedFile File);

/// <summary>
/// The lake commit log seen per (topic, event hour): which committed raw files and batches make up each partition.
/// Only files a batch record lists count; anything else in the folder is not part of the lake.
/// </summary>
public sealed class LakeHours
{
    private readonly Dictionary<(string Topic, DateTimeOffset Hour), List<LakeHourFile>> _files = [];

    public LakeHours(LakeCommitLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        LastSequence = log.LastSequence;
        foreach (var commit in log.Commits.Where(c => c.Kind == LakeCommitKind.Batch))
        {
            foreach (var file in commit.Files.Where(f => f.Kind == LakeFileKind.Raw && Topics.IsKnown(f.Topic)))
            {
                var key = (file.Topic, DataInterval.TruncateToHour(file.EventHour.ToUniversalTime()));
                if (!_files.TryGetValue(key, out var list))
                {
                    _files[key] = list = [];
                }

                list.Add(new LakeHourFile(commit.BatchId, commit.Sequence, file));
            }
        }
    }

    /// <summary>The commit log sequence this view was taken at.</summary>
    public long LastSequence { get; }

    /// <summary>The committed files of one partition, oldest commit first.</summary>
    public IReadOnlyList<LakeHourFile> FilesOf(string topic, DateTimeOffset hour) =>
        _files.TryGetValue((topic, hour), out var list) ? list : [];

    /// <summary>True when a commit after <paramref name="sequence"/> added files to the partition.</summary>
    public bool ChangedAfter(string topic, DateTimeOffset hour, long sequence) =>
        FilesOf(topic, hour).Any(f => f.Sequence > sequence);
}
