using System.Text;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Validation;
using RhythmFlow.Parquet;

namespace RhythmFlow.Landing.Batching;

/// <summary>Where a valid event came from: its Kafka coordinates and the batch that lands it (the lineage columns).</summary>
internal readonly record struct Lineage(int Partition, long Offset, long KafkaTimestampMs);

/// <summary>
/// The Parquet file of one topic and event hour within one batch: values go from the validator's parsed fields
/// straight into typed column writers (no second JSON parse). Its upload is begun when the file opens (so an open
/// batch is visible as uploads in progress), but the encoded bytes stay in memory until <see cref="CompleteAsync"/>
/// writes them in one go: a backlog batch holds hundreds of these files, and a write buffer per file would cost
/// more than their compressed bytes. Memory stays bounded by the batch's --max-bytes, as the row groups were before.
/// </summary>
internal sealed class RawFileWriter : IAsyncDisposable
{
    private readonly ILakeUpload upload;
    private readonly PooledBufferStream encoded = new();
    private readonly ParquetWriter writer;
    private readonly TopicLayout layout;
    private readonly byte[] topicUtf8;
    private readonly byte[] batchIdUtf8;

    private RawFileWriter(ILakeUpload upload, TopicLayout layout, string batchId, DateTimeOffset eventHour, long rowGroupBytes)
    {
        this.upload = upload;
        this.layout = layout;
        EventHour = eventHour;
        topicUtf8 = Encoding.UTF8.GetBytes(layout.Topic);
        batchIdUtf8 = Encoding.UTF8.GetBytes(batchId);
        var options = new ParquetWriterOptions { RowGroupSizeBytes = rowGroupBytes };

        // Unique within a partition, so a dictionary can never pay for itself.
        options.DisableDictionaryFor.Add(LakeSchema.KafkaOffset);
        options.KeyValueMetadata["rhythmflow.landing_batch_id"] = batchId;
        writer = new ParquetWriter(encoded, layout.Parquet, options);
    }

    public string Key => upload.Key;

    public DateTimeOffset EventHour { get; }

    public long Rows => writer.RowsWritten;

    public static async Task<RawFileWriter> CreateAsync(
        ILakeStorage storage, TopicLayout layout, string batchId, DateTimeOffset eventHour, long rowGroupBytes, CancellationToken cancellationToken)
    {
        var key = $"{LakeLayout.RawPartition(layout.Topic, eventHour)}/{LakeLayout.RequireSafeSegment($"part-{batchId}.parquet")}";
        var upload = await storage.BeginUploadAsync(key, cancellationToken).ConfigureAwait(false);
        return new RawFileWriter(upload, layout, batchId, eventHour, rowGroupBytes);
    }

    public void Append(EventFields fields, in Lineage lineage)
    {
        var columns = layout.Columns;
        for (var i = 0; i < columns.Length; i++)
        {
            var (type, field) = columns[i];
            if (field < 0 || !fields.IsPresent(field))
            {
                writer.Column(i).AppendNull();
                continue;
            }

            ref readonly var value = ref fields.Value(field);
            switch (type)
            {
                case LakeColumnType.String:
                    writer.ByteArrayColumn(i).Append(fields.Utf8Of(value));
                    break;
                case LakeColumnType.Int32:
                    writer.Int32Column(i).Append((int)value.Integer);
                    break;
                case LakeColumnType.Int64 or LakeColumnType.TimestampMillis:
                    writer.Int64Column(i).Append(value.Integer);
                    break;
                case LakeColumnType.Double:
                    writer.DoubleColumn(i).Append(value.Number);
                    break;
                default:
                    writer.BooleanColumn(i).Append(value.Kind == System.Text.Json.JsonTokenType.True);
                    break;
            }
        }

        var lineageStart = columns.Length;
        writer.ByteArrayColumn(lineageStart).Append(topicUtf8);
        writer.Int32Column(lineageStart + 1).Append(lineage.Partition);
        writer.Int64Column(lineageStart + 2).Append(lineage.Offset);
        writer.Int64Column(lineageStart + 3).Append(lineage.KafkaTimestampMs);
        writer.ByteArrayColumn(lineageStart + 4).Append(batchIdUtf8);
        writer.EndRow();
    }

    /// <summary>Encodes the last row group and the footer into memory: the CPU part of completing the file.</summary>
    public void Seal() => writer.Dispose();

    /// <summary>Seals the file if it is not yet, then publishes it create-only; returns its commit-log entry.</summary>
    public async Task<CommittedFile> CompleteAsync(CancellationToken cancellationToken)
    {
        Seal();
        var bytes = encoded.Length;
        await encoded.WriteToAsync(upload.Content, cancellationToken).ConfigureAwait(false);
        await encoded.DisposeAsync().ConfigureAwait(false);
        if (!await upload.CommitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RhythmFlowException($"Lake file {upload.Key} already exists; batch ids are unique, so another writer used this batch id.");
        }

        return new CommittedFile(upload.Key, LakeFileKind.Raw, layout.Topic, EventHour, writer.RowsWritten, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await encoded.DisposeAsync().ConfigureAwait(false);
        await upload.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>How one topic's events map onto its lake table: per event column, its type and the schema field it reads.</summary>
internal sealed class TopicLayout
{
    public TopicLayout(string topic)
    {
        Topic = topic;
        var schema = EventValidator.SchemaOf(topic);
        Columns = [.. LakeSchema.EventColumnsOf(topic).Select(c => (c.Type, schema.IndexOf(c.EventField!)))];
        Parquet = LakeParquetSchema.For(topic);
    }

    public string Topic { get; }

    public (LakeColumnType Type, int Field)[] Columns { get; }

    public ParquetSchema Parquet { get; }
}
