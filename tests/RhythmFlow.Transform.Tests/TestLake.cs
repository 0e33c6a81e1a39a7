using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;

namespace RhythmFlow.Transform.Tests;

/// <summary>A lake in a temporary folder that tests land batches into: Parquet files plus commit log records.</summary>
internal sealed class TestLake : IDisposable
{
    private int _batches;

    public TestLake()
    {
        Root = Directory.CreateTempSubdirectory("rhythmflow-lake-").FullName;
        Storage = new LocalLakeStorage(Root);
    }

    public string Root { get; }

    public LocalLakeStorage Storage { get; }

    /// <summary>A deterministic event of <paramref name="topic"/> in <paramref name="hour"/>, in LakeSchema column order.</summary>
    public static object?[] Event(string topic, DateTimeOffset hour, long sessionId, int item, string batchId = "b") =>
    [
        .. LakeSchema.ColumnsOf(topic).Select<LakeColumn, object?>(c => c.Name switch
        {
            "ts" => hour.AddSeconds((sessionId * 7 + item) % 3600).UtcDateTime,
            "session_id" => sessionId,
            "item_in_session" => item,
            "tag" => null,
            LakeSchema.LandingBatchId => batchId,
            LakeSchema.KafkaTopic => topic,
            _ => c.Type switch
            {
                LakeColumnType.String => string.Create(CultureInfo.InvariantCulture, $"{c.Name}-{sessionId}-{item}"),
                LakeColumnType.Int32 => (int)(sessionId % 1000),
                LakeColumnType.Int64 => sessionId * 10 + item,
                LakeColumnType.Double => item * 1.25,
                LakeColumnType.Boolean => item % 2 == 0,
                _ => hour.AddDays(-30).UtcDateTime,
            },
        }),
    ];

    /// <summary>Lands one batch: one Parquet file per (topic, hour) of the rows, committed in one record. Returns the batch id.</summary>
    public async Task<string> LandAsync(string topic, DateTimeOffset hour, IEnumerable<object?[]> rows)
    {
        var batchId = string.Create(CultureInfo.InvariantCulture, $"batch-{++_batches:D4}");
        var key = $"{LakeLayout.RawPartition(topic, hour)}/{batchId}.parquet";
        var schema = LakeParquetSchema.For(topic);
        long written;
        await using (var upload = await Storage.BeginUploadAsync(key, CancellationToken.None))
        {
            using (var writer = new ParquetWriter(upload.Content, schema, new ParquetWriterOptions { MaxRowsPerRowGroup = 5_000 }))
            {
                foreach (var row in rows)
                {
                    var landed = (object?[])row.Clone();
                    landed[^1] = batchId;
                    writer.WriteRow(landed);
                }

                written = writer.RowsWritten;
            }

            (await upload.CommitAsync(CancellationToken.None)).ShouldBeTrue();
        }

        await CommitAsync(batchId, topic, hour, key, written);
        return batchId;
    }

    /// <summary>Lands a batch whose file holds <paramref name="bytes"/> as they are (to make corrupt files).</summary>
    public async Task LandRawBytesAsync(string topic, DateTimeOffset hour, byte[] bytes)
    {
        var batchId = string.Create(CultureInfo.InvariantCulture, $"batch-{++_batches:D4}");
        var key = $"{LakeLayout.RawPartition(topic, hour)}/{batchId}.parquet";
        (await Storage.TryCreateAsync(key, bytes, CancellationToken.None)).ShouldBeTrue();
        await CommitAsync(batchId, topic, hour, key, 0);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private async Task CommitAsync(string batchId, string topic, DateTimeOffset hour, string key, long rows)
    {
        var log = await LakeCommitLog.OpenAsync(Storage);
        await log.AppendAsync(new LakeCommit(
            0, batchId, LakeCommitKind.Batch, hour, "tests", "tests", [], [new CommittedFile(key, LakeFileKind.Raw, topic, hour, rows, 0)], [], [], null));
    }
}
