using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;

namespace RhythmFlow.Landing.Tests;

/// <summary>One landed row, identified by its Kafka coordinates, with the event identity to compare content.</summary>
internal sealed record LandedRow(string Topic, int Partition, long Offset, long SessionId, int ItemInSession, long Ts);

/// <summary>Reads what a lake reader following the commit log sees.</summary>
internal static class LakeContents
{
    public static async Task<List<LandedRow>> ReadAsync(ILakeStorage storage)
    {
        var log = await LakeCommitLog.OpenAsync(storage);
        var rows = new List<LandedRow>();
        foreach (var file in log.Commits.Where(c => c.Kind == LakeCommitKind.Batch).SelectMany(c => c.Files).Where(f => f.Kind == LakeFileKind.Raw))
        {
            var bytes = (await storage.TryReadAllBytesAsync(file.Key, default)).ShouldNotBeNull($"committed file {file.Key} is missing");
            using var reader = new ParquetReader(new MemoryStream(bytes), file.Key, ownsStream: true);
            foreach (var group in reader.ReadRowGroups(["kafka_topic", "kafka_partition", "kafka_offset", "session_id", "item_in_session", "ts"]))
            {
                for (var i = 0; i < group.RowCount; i++)
                {
                    rows.Add(new LandedRow(
                        group.Column("kafka_topic").GetString(i)!,
                        group.Column("kafka_partition").Int32Values[i],
                        group.Column("kafka_offset").Int64Values[i],
                        group.Column("session_id").Int64Values[i],
                        group.Column("item_in_session").Int32Values[i],
                        group.Column("ts").Int64Values[i]));
                }
            }
        }

        return rows;
    }
}
