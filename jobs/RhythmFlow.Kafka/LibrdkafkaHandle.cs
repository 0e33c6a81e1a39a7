using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>The librdkafka handle behind a Confluent.Kafka client, for the calls Confluent.Kafka does not offer.</summary>
internal static class LibrdkafkaHandle
{
    // Confluent.Kafka 1.9.3 (pinned in Directory.Packages.props) keeps the librdkafka handle in this internal property.
    private static readonly PropertyInfo HandleProperty =
        typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Confluent.Kafka's Handle has no LibrdkafkaHandle property; RhythmFlow.Kafka needs Confluent.Kafka 1.9.3.");

    /// <summary>The consumer's handle, referenced until the caller's <see cref="SafeHandle.DangerousRelease"/>.</summary>
    public static SafeHandle AddRef(IConsumer<byte[], byte[]> consumer)
    {
        var handle = (SafeHandle)(HandleProperty.GetValue(consumer.Handle)
            ?? throw new InvalidOperationException("The consumer has no librdkafka handle."));
        var added = false;
        handle.DangerousAddRef(ref added);
        return handle;
    }
}
