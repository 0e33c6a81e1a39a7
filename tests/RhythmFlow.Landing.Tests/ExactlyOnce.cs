using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;

namespace RhythmFlow.Landing.Tests;

/// <summary>The exactly-once checks the process-level tests (crash, rebalance, shutdown) end with.</summary>
internal static class ExactlyOnce
{
    /// <summary>
    /// The lake, as a reader following the commit log sees it, holds every produced event once: by Kafka coordinates
    /// (each offset below the broker's high watermark of each partition, once) and by content; and the log's offset
    /// ranges of every partition follow each other without gap or overlap, so no partition was written twice, not
    /// even by a writer that had lost it.
    /// </summary>
    public static async Task AssertLakeHoldsAsync(string lakeRoot, ProducedEvents produced)
    {
        var storage = new LocalLakeStorage(lakeRoot);
        var rows = await LakeContents.ReadAsync(storage);
        rows.Select(r => (r.Topic, r.Partition, r.Offset)).Distinct().Count().ShouldBe(rows.Count, "a Kafka offset landed twice");
        rows.Count.ShouldBe(produced.Count);
        var content = rows.Select(r => (r.Topic, r.SessionId, r.ItemInSession)).ToHashSet();
        content.SetEquals(produced.Events).ShouldBeTrue(
            $"landed content differs: {produced.Events.Except(content).Count()} produced events missing, {content.Except(produced.Events).Count()} never produced");

        var log = await LakeCommitLog.OpenAsync(storage);
        log.Gaps().ShouldBeEmpty();
        var ranges = log.Commits.Where(c => c.Kind == LakeCommitKind.Batch).SelectMany(c => c.Offsets).ToLookup(o => (o.Topic, o.Partition));
        var landed = rows.ToLookup(r => (r.Topic, r.Partition), r => r.Offset);
        using var admin = KafkaAdmin.Create(new KafkaProducerOptions { BootstrapServers = produced.BootstrapServers });
        foreach (var partition in Topics.All.SelectMany(admin.Partitions))
        {
            var key = (partition.Topic, partition.Partition.Value);
            var high = admin.Watermarks(partition).High.Value;
            landed[key].Order().ShouldBe(LongRange(0, high), $"{partition} must hold each offset below its high watermark once");
            var end = 0L;
            foreach (var range in ranges[key])
            {
                range.Start.ShouldBe(end, $"{partition}: a commit record's range must start where the one before ended");
                end = range.End;
            }

            end.ShouldBe(high, $"{partition}: the commit log must end at the high watermark");
        }
    }

    /// <summary>Files under <c>raw/</c> and <c>quarantine/</c> that no batch record lists: orphans a naive directory reader would see.</summary>
    public static async Task<List<string>> UnlistedFilesAsync(string lakeRoot)
    {
        var storage = new LocalLakeStorage(lakeRoot);
        var log = await LakeCommitLog.OpenAsync(storage);
        var unlisted = new List<string>();
        foreach (var root in new[] { LakeLayout.RawRoot, LakeLayout.QuarantineRoot })
        {
            await foreach (var item in storage.ListAsync(root + "/", default))
            {
                if (!log.IsCommitted(item.Key))
                {
                    unlisted.Add(item.Key);
                }
            }
        }

        return unlisted;
    }

    private static IEnumerable<long> LongRange(long start, long end)
    {
        for (var i = start; i < end; i++)
        {
            yield return i;
        }
    }
}
