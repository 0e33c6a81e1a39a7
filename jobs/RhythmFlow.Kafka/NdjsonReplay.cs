using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using RhythmFlow.Contracts;

namespace RhythmFlow.Kafka;

/// <summary>
/// Writes an NDJSON file of eventsim events (one object per line, as <c>simulate --sink ndjson</c> writes them)
/// to a sink, keyed by the event's <c>userId</c>, or by its <c>sessionId</c> for guest events that have none.
/// </summary>
public static class NdjsonReplay
{
    private const int BufferSize = 1 << 20;
    private static readonly byte[] UserIdField = "\"userId\":"u8.ToArray();
    private static readonly byte[] SessionIdField = "\"sessionId\":"u8.ToArray();

    /// <summary>Opens a file, transparently gunzipping names ending in <c>.gz</c>.</summary>
    public static Stream Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"NDJSON input '{path}' does not exist.", "Pass an existing file, e.g. one written by 'rhythmflow simulate --sink ndjson'.");
        }

        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Writes every non-empty line to <paramref name="topic"/>; returns the number of events written.</summary>
    public static async Task<long> WriteAsync(IEventSink sink, string topic, Stream input, string source, CancellationToken cancellationToken)
    {
        Topics.Require(topic);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long events = 0;
            long line = 0;
            var filled = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                filled += read;
                var consumed = WriteCompleteLines(sink, topic, buffer.AsSpan(0, filled), read == 0, source, ref line, ref events);
                if (read == 0)
                {
                    return events;
                }

                if (consumed == 0 && filled == buffer.Length)
                {
                    throw new UsageException($"{source} line {line + 1} is longer than {BufferSize} bytes.", "Each line must hold one JSON event.");
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WriteCompleteLines(
        IEventSink sink, string topic, ReadOnlySpan<byte> data, bool final, string source, ref long line, ref long events)
    {
        var consumed = 0;
        while (consumed < data.Length)
        {
            var rest = data[consumed..];
            var end = rest.IndexOf((byte)'\n');
            if (end < 0 && !final)
            {
                break;
            }

            var json = end < 0 ? rest : rest[..end];
            consumed += end < 0 ? rest.Length : end + 1;
            line++;
            json = json.TrimEnd((byte)'\r');
            if (json.IsEmpty)
            {
                continue;
            }

            if (!TryReadKey(json, UserIdField, out var key) && !TryReadKey(json, SessionIdField, out key))
            {
                throw new UsageException(
                    $"{source} line {line} has neither a numeric userId nor a sessionId to key it by.",
                    "Replay eventsim-shaped events, one JSON object per line.");
            }

            sink.Write(topic, key, json);
            events++;
        }

        return consumed;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryReadKey(ReadOnlySpan<byte> json, ReadOnlySpan<byte> field, out long key)
    {
        key = 0;
        var at = json.IndexOf(field);
        return at >= 0 && Utf8Parser.TryParse(json[(at + field.Length)..].TrimStart((byte)' '), out key, out _);
    }
}
