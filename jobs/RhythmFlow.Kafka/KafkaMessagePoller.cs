using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>
/// One message polled by <see cref="KafkaMessagePoller"/>: its coordinates, and its value as librdkafka holds it
/// (valid until the next poll; copy what must outlive it).
/// </summary>
public readonly ref struct PolledMessage
{
    public required string Topic { get; init; }

    public required int Partition { get; init; }

    /// <summary>The message's offset, or for a partition-EOF event the partition's end offset.</summary>
    public required long Offset { get; init; }

    public long TimestampMs { get; init; }

    /// <summary>The value; empty for an empty or null (tombstone) value.</summary>
    public ReadOnlySpan<byte> Value { get; init; }

    /// <summary>Not a message: the partition has been read to its end (with <c>enable.partition.eof</c>).</summary>
    public bool IsPartitionEof { get; init; }
}

/// <summary>
/// Polls a Confluent.Kafka consumer's librdkafka handle directly. <c>IConsumer.Consume</c> builds a
/// <c>ConsumeResult</c>, a <c>Message</c>, a topic string and a copy of the value for every message; a job that
/// reads millions of messages only to copy their bytes once more spends more time collecting that garbage than
/// reading. Everything else (subscribing, rebalance callbacks, which librdkafka serves inside the poll, seeking,
/// committing, closing) stays with the Confluent.Kafka consumer.
/// </summary>
/// <remarks>
/// Confluent.Kafka rethrows an exception from a rebalance handler out of its own <c>Consume</c>; this poller cannot
/// see those, so callers that poll through it must catch in their handlers and rethrow after <see cref="TryPoll"/>.
/// </remarks>
public sealed partial class KafkaMessagePoller : IDisposable
{
    private const string Library = "librdkafka";
    private const int PartitionEof = -191;

    private readonly SafeHandle handle;
    private readonly IntPtr rk;
    private readonly Dictionary<IntPtr, string> topicNames = [];
    private IntPtr current;
    private bool disposed;

    public KafkaMessagePoller(IConsumer<byte[], byte[]> consumer)
    {
        handle = LibrdkafkaHandle.AddRef(consumer);
        rk = handle.DangerousGetHandle();
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next message or partition-EOF event (serving rebalance and
    /// error callbacks meanwhile); false when there was none. The previous message is released first.
    /// </summary>
    /// <exception cref="KafkaException">librdkafka delivered an error instead of a message.</exception>
    public unsafe bool TryPoll(TimeSpan timeout, out PolledMessage message)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Release();
        message = default;
        current = rd_kafka_consumer_poll(rk, (int)timeout.TotalMilliseconds);
        if (current == IntPtr.Zero)
        {
            return false;
        }

        var native = (NativeMessage*)current;
        if (native->Err != 0 && native->Err != PartitionEof)
        {
            var reason = native->Payload != IntPtr.Zero
                ? Marshal.PtrToStringUTF8(native->Payload, (int)native->Length)
                : Marshal.PtrToStringUTF8(rd_kafka_err2str(native->Err));
            var code = (ErrorCode)native->Err;
            Release();
            throw new KafkaException(new Error(code, reason));
        }

        message = new PolledMessage
        {
            Topic = TopicName(native->Topic),
            Partition = native->Partition,
            Offset = native->Offset,
            TimestampMs = native->Err == 0 ? rd_kafka_message_timestamp(current, out _) : 0,
            Value = native->Err == 0 && native->Payload != IntPtr.Zero ? new ReadOnlySpan<byte>((void*)native->Payload, checked((int)native->Length)) : default,
            IsPartitionEof = native->Err == PartitionEof,
        };
        return true;
    }

    /// <summary>Releases the last message; call before closing the consumer (librdkafka waits for outstanding messages).</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Release();
        handle.DangerousRelease();
    }

    private void Release()
    {
        if (current != IntPtr.Zero)
        {
            rd_kafka_message_destroy(current);
            current = IntPtr.Zero;
        }
    }

    private string TopicName(IntPtr topic)
    {
        // A topic handle lives as long as the client references the topic, so its pointer names it for the whole run.
        if (!topicNames.TryGetValue(topic, out var name))
        {
            name = Marshal.PtrToStringUTF8(rd_kafka_topic_name(topic)) ?? string.Empty;
            topicNames[topic] = name;
        }

        return name;
    }

    /// <summary>rd_kafka_message_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct NativeMessage
    {
        public int Err;
        public IntPtr Topic;
        public int Partition;
        public IntPtr Payload;
        public nuint Length;
        public IntPtr Key;
        public nuint KeyLength;
        public long Offset;
        public IntPtr Private;
    }

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_consumer_poll(IntPtr rk, int timeoutMs);

    [LibraryImport(Library)]
    private static partial void rd_kafka_message_destroy(IntPtr message);

    [LibraryImport(Library)]
    private static partial long rd_kafka_message_timestamp(IntPtr message, out int timestampType);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_topic_name(IntPtr topic);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_err2str(int err);
}
