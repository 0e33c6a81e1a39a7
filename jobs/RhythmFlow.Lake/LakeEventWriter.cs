using System.Text;
using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Parquet;
using RhythmFlow.Parquet.Writing;

namespace RhythmFlow.Lake;

/// <summary>Why an event does not fit its topic's lake schema: the JSON path of the field and the reason.</summary>
public readonly record struct LakeEventError(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Appends eventsim JSON events (UTF-8 bytes) of one topic, plus their lineage, to a lake Parquet file. Parses
/// with <see cref="Utf8JsonReader"/> straight into the typed column buffers: no DOM, no strings, no boxing per
/// event. An event that does not fit is rejected whole, with the field and the reason.
/// </summary>
public sealed class LakeEventWriter : IDisposable
{
    private readonly ParquetWriter writer;
    private readonly Field[] fields;
    private readonly bool[] seen;
    private readonly byte[] topicUtf8;
    private readonly byte[] batchIdUtf8;
    private readonly int lineageStart;
    private int nextHint;

    /// <param name="output">Where the Parquet file goes (left open).</param>
    /// <param name="topic">The topic whose lake schema the file has.</param>
    /// <param name="landingBatchId">The landing batch written into every row's lineage.</param>
    /// <param name="options">Writer settings (codec, sizes, key/value metadata).</param>
    public LakeEventWriter(Stream output, string topic, string landingBatchId, ParquetWriterOptions? options = null)
    {
        Topic = Topics.Require(topic);
        var eventColumns = LakeSchema.EventColumnsOf(topic);
        fields = [.. eventColumns.Select((c, i) => new Field(Encoding.UTF8.GetBytes(c.EventField!), i, c.Type, c.Required, "$." + c.EventField))];
        seen = new bool[fields.Length];
        lineageStart = eventColumns.Count;
        topicUtf8 = Encoding.UTF8.GetBytes(topic);
        batchIdUtf8 = Encoding.UTF8.GetBytes(landingBatchId);
        writer = new ParquetWriter(output, LakeParquetSchema.For(topic), options);
    }

    public string Topic { get; }

    public long Rows => writer.RowsWritten;

    /// <summary>Appends one event; on false nothing was written and <paramref name="error"/> says why.</summary>
    public bool TryAppend(ReadOnlySpan<byte> eventJson, int kafkaPartition, long kafkaOffset, long kafkaTimestampMs, out LakeEventError error)
    {
        Array.Clear(seen);
        try
        {
            if (!TryAppendFields(eventJson, out error) || !TryFillMissing(out error))
            {
                writer.CancelRow();
                return false;
            }
        }
        catch (JsonException ex)
        {
            writer.CancelRow();
            error = new LakeEventError("$", $"not valid JSON: {ex.Message}");
            return false;
        }

        writer.ByteArrayColumn(lineageStart).Append(topicUtf8);
        writer.Int32Column(lineageStart + 1).Append(kafkaPartition);
        writer.Int64Column(lineageStart + 2).Append(kafkaOffset);
        writer.Int64Column(lineageStart + 3).Append(kafkaTimestampMs);
        writer.ByteArrayColumn(lineageStart + 4).Append(batchIdUtf8);
        writer.EndRow();
        return true;
    }

    /// <summary>Writes the footer (the output stream stays open).</summary>
    public void Dispose() => writer.Dispose();

    private bool TryAppendFields(ReadOnlySpan<byte> json, out LakeEventError error)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = new LakeEventError("$", "expected a JSON object");
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = Find(ref reader);
            reader.Read();
            if (index < 0)
            {
                // Fields outside the lake schema are not ours to judge; the landing job's JSON Schema check is.
                reader.Skip();
                continue;
            }

            ref readonly var field = ref fields[index];
            if (seen[index])
            {
                error = new LakeEventError(field.Path, "appears twice");
                return false;
            }

            seen[index] = true;
            if (!TryAppendValue(ref reader, field, out error))
            {
                return false;
            }
        }

        error = default;
        return true;
    }

    /// <summary>Finds the column of the current property, trying eventsim's field order first.</summary>
    private int Find(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            var name = reader.ValueSpan;
            for (var k = 0; k < fields.Length; k++)
            {
                var index = nextHint + k;
                if (index >= fields.Length)
                {
                    index -= fields.Length;
                }

                if (name.SequenceEqual(fields[index].Name))
                {
                    nextHint = index + 1 == fields.Length ? 0 : index + 1;
                    return index;
                }
            }

            return -1;
        }

        for (var index = 0; index < fields.Length; index++)
        {
            if (reader.ValueTextEquals(fields[index].Name))
            {
                return index;
            }
        }

        return -1;
    }

    private bool TryAppendValue(ref Utf8JsonReader reader, in Field field, out LakeEventError error)
    {
        error = default;
        var column = field.Column;
        if (reader.TokenType == JsonTokenType.Null)
        {
            if (field.Required)
            {
                error = new LakeEventError(field.Path, "is null but the column is required");
                return false;
            }

            writer.Column(column).AppendNull();
            return true;
        }

        switch (field.Type)
        {
            case LakeColumnType.String when reader.TokenType == JsonTokenType.String:
                AppendString(ref reader, writer.ByteArrayColumn(column));
                return true;
            case LakeColumnType.Int32 when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i32):
                writer.Int32Column(column).Append(i32);
                return true;
            case LakeColumnType.Int64 or LakeColumnType.TimestampMillis when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var i64):
                writer.Int64Column(column).Append(i64);
                return true;
            case LakeColumnType.Double when reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d):
                writer.DoubleColumn(column).Append(d);
                return true;
            case LakeColumnType.Boolean when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                writer.BooleanColumn(column).Append(reader.TokenType == JsonTokenType.True);
                return true;
            default:
                error = new LakeEventError(field.Path, $"expected {Describe(field.Type)}, found {Describe(ref reader)}");
                return false;
        }
    }

    private static void AppendString(ref Utf8JsonReader reader, ByteArrayColumnWriter column)
    {
        if (!reader.ValueIsEscaped)
        {
            column.Append(reader.ValueSpan);
            return;
        }

        // Unescaping never lengthens a JSON string, so the raw length bounds the decoded UTF-8.
        var target = column.Reserve(reader.ValueSpan.Length);
        column.Commit(reader.CopyString(target));
    }

    private bool TryFillMissing(out LakeEventError error)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (seen[i])
            {
                continue;
            }

            if (fields[i].Required)
            {
                error = new LakeEventError(fields[i].Path, "is missing but the column is required");
                return false;
            }

            writer.Column(fields[i].Column).AppendNull();
        }

        error = default;
        return true;
    }

    private static string Describe(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "a string",
        LakeColumnType.Int32 => "an integer within 32 bits",
        LakeColumnType.Int64 => "an integer within 64 bits",
        LakeColumnType.TimestampMillis => "epoch milliseconds (an integer)",
        LakeColumnType.Double => "a number",
        _ => "true or false",
    };

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(reader.ValueSpan)}",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    private readonly record struct Field(byte[] Name, int Column, LakeColumnType Type, bool Required, string Path);
}
