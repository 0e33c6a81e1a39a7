using Confluent.Kafka;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Kafka;

/// <summary>
/// What a group member does when partitions move. Handlers run inside <c>Consume</c> on the consuming thread;
/// commit or flush what belongs to revoked partitions in <see cref="Revoked"/> before returning.
/// </summary>
public sealed record KafkaRebalanceHandlers
{
    public Action<IConsumer<byte[], byte[]>, IReadOnlyList<TopicPartition>>? Assigned { get; init; }

    public Action<IConsumer<byte[], byte[]>, IReadOnlyList<TopicPartitionOffset>>? Revoked { get; init; }

    /// <summary>Partitions taken away without a clean revoke (session timeout): do not commit for them.</summary>
    public Action<IConsumer<byte[], byte[]>, IReadOnlyList<TopicPartitionOffset>>? Lost { get; init; }
}

/// <summary>Creates group consumers of raw bytes with librdkafka loaded and offsets committed only by the caller.</summary>
public static class KafkaConsumerFactory
{
    public static IConsumer<byte[], byte[]> Create(
        KafkaConsumerOptions options, KafkaRebalanceHandlers? handlers = null, ILogger? logger = null)
    {
        SettingsValidator.Validate(options, KafkaClientOptions.Section);
        KafkaNative.EnsureLoaded();
        logger ??= Serilog.Core.Logger.None;
        var builder = new ConsumerBuilder<byte[], byte[]>(options.ToConsumerConfig())
            .SetLogHandler((_, m) => KafkaLogging.Log(logger, "consumer", m))
            .SetErrorHandler((_, e) => KafkaLogging.Error(logger, "consumer", e));
        if (handlers?.Assigned is { } assigned)
        {
            builder.SetPartitionsAssignedHandler((consumer, partitions) => assigned(consumer, partitions));
        }

        if (handlers?.Revoked is { } revoked)
        {
            builder.SetPartitionsRevokedHandler((consumer, partitions) => revoked(consumer, partitions));
        }

        if (handlers?.Lost is { } lost)
        {
            builder.SetPartitionsLostHandler((consumer, partitions) => lost(consumer, partitions));
        }

        return builder.Build();
    }
}
