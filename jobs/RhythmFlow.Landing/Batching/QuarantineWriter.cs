using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing.Validation;

namespace RhythmFlow.Landing.Batching;

/// <summary>
/// The quarantine file of one topic and UTC day within one batch: NDJSON, one line per rejected message with its
/// Kafka coordinates, the failing rule, the JSON path, a detail and the original bytes (base64, so any byte
/// sequence survives). Streamed into a lake upload; published with the batch.
/// </summary>
internal sealed class QuarantineWriter : IAsyncDisposable
{
    private readonly ILakeUpload upload;

    // Uploads are unbuffered (most are written in large pieces); a line at a time needs a buffer of its own.
    private readonly BufferedStream content;
    private readonly Utf8JsonWriter json;
    private readonly string topic;
    private readonly DateTimeOffset day;
    private readonly string batchId;
    private long rows;

    private QuarantineWriter(ILakeUpload upload, string topic, DateTimeOffset day, string batchId)
    {
        this.upload = upload;
        this.topic = topic;
        this.day = day;
        this.batchId = batchId;
        content = new BufferedStream(upload.Content, 64 * 1024);
        json = new Utf8JsonWriter(content);
    }

    public static async Task<QuarantineWriter> CreateAsync(
        ILakeStorage storage, string topic, DateTimeOffset day, string batchId, CancellationToken cancellationToken)
    {
        var key = $"{LakeLayout.QuarantinePartition(topic, day)}/{LakeLayout.RequireSafeSegment($"part-{batchId}.ndjson")}";
        return new QuarantineWriter(await storage.BeginUploadAsync(key, cancellationToken).ConfigureAwait(false), topic, day, batchId);
    }

    public long Rows => rows;

    public void Append(int partition, long offset, long kafkaTimestampMs, ReadOnlySpan<byte> value, in Verdict verdict)
    {
        json.Reset();
        json.WriteStartObject();
        json.WriteString("topic", topic);
        json.WriteNumber("partition", partition);
        json.WriteNumber("offset", offset);
        json.WriteString("kafka_timestamp", DateTimeOffset.FromUnixTimeMilliseconds(kafkaTimestampMs));
        json.WriteString("rule", verdict.Rule);
        json.WriteString("path", verdict.Path);
        json.WriteString("detail", verdict.Detail);
        json.WriteString("landing_batch_id", batchId);
        json.WriteNumber("size", value.Length);
        json.WriteBase64String("value_base64", value);
        json.WriteEndObject();
        json.Flush();
        content.WriteByte((byte)'\n');
        rows++;
    }

    public async Task<CommittedFile> CompleteAsync(CancellationToken cancellationToken)
    {
        await json.DisposeAsync().ConfigureAwait(false);
        await content.FlushAsync(cancellationToken).ConfigureAwait(false);
        var bytes = upload.Content.Position;
        if (!await upload.CommitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RhythmFlowException($"Quarantine file {upload.Key} already exists; batch ids are unique, so another writer used this batch id.");
        }

        return new CommittedFile(upload.Key, LakeFileKind.Quarantine, topic, day, rows, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await json.DisposeAsync().ConfigureAwait(false);
        await upload.DisposeAsync().ConfigureAwait(false);
    }
}
