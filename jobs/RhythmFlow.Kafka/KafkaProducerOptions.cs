using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace RhythmFlow.Kafka;

/// <summary>
/// How RhythmFlow produces events: always idempotent (acks=all, ordered retries), keyed by user, compressed and
/// batched. Bound from the <c>Kafka</c> section and validated by <c>SettingsValidator</c>.
/// </summary>
public sealed class KafkaProducerOptions : KafkaClientOptions
{
    /// <summary>Partitions of each topic the producer creates when it is missing.</summary>
    [Range(1, 10_000)]
    public int Partitions { get; set; } = 4;

    /// <summary>Replication factor of created topics (1 for the dev broker and a single-node compose Kafka).</summary>
    [Range(1, 16)]
    public short ReplicationFactor { get; set; } = 1;

    /// <summary>Create the four event topics when missing before producing.</summary>
    public bool CreateTopics { get; set; } = true;

    /// <summary>How long a batch may wait to fill before it is sent (<c>linger.ms</c>).</summary>
    [Range(0, 60_000)]
    public int LingerMs { get; set; } = 20;

    /// <summary>Upper bound of one batch in bytes (<c>batch.size</c>).</summary>
    [Range(1_024, 100_000_000)]
    public int BatchSizeBytes { get; set; } = 1_000_000;

    /// <summary>Upper bound of one batch in messages (<c>batch.num.messages</c>).</summary>
    [Range(1, 1_000_000)]
    public int BatchMessages { get; set; } = 10_000;

    /// <summary>Batch compression codec.</summary>
    [AllowedValues("none", "gzip", "snappy", "lz4", "zstd")]
    public string Compression { get; set; } = "lz4";

    /// <summary>Messages the client buffers before <c>Write</c> blocks (<c>queue.buffering.max.messages</c>).</summary>
    [Range(1_000, 10_000_000)]
    public int QueueMessages { get; set; } = 1_000_000;

    /// <summary>How long the client retries one message before its delivery fails the run (<c>message.timeout.ms</c>).</summary>
    [Range(1_000, 3_600_000)]
    public int DeliveryTimeoutMs { get; set; } = 120_000;

    internal ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = LingerMs,
            BatchSize = BatchSizeBytes,
            BatchNumMessages = BatchMessages,
            CompressionType = Enum.Parse<CompressionType>(Compression, ignoreCase: true),
            QueueBufferingMaxMessages = QueueMessages,
            QueueBufferingMaxKbytes = 1_048_576,
            MessageTimeoutMs = DeliveryTimeoutMs,
        };
        return Apply(config);
    }
}
