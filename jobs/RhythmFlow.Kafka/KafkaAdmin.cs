using Confluent.Kafka;
using Confluent.Kafka.Admin;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Kafka;

/// <summary>Topic creation and metadata, and partition watermarks, for the producer, the landing job and tests.</summary>
public sealed class KafkaAdmin : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly IAdminClient _admin;
    private readonly Lazy<IConsumer<byte[], byte[]>> _offsetReader;
    private readonly string _bootstrapServers;

    private KafkaAdmin(KafkaClientOptions options, ILogger logger)
    {
        _bootstrapServers = options.BootstrapServers;
        _admin = new AdminClientBuilder(options.Apply(new AdminClientConfig()))
            .SetLogHandler((_, m) => KafkaLogging.Log(logger, "admin", m))
            .SetErrorHandler((_, e) => KafkaLogging.Error(logger, "admin", e))
            .Build();

        // Watermark queries live on the consumer API; this consumer never joins a group or commits.
        _offsetReader = new Lazy<IConsumer<byte[], byte[]>>(() =>
            new ConsumerBuilder<byte[], byte[]>(options.Apply(new ConsumerConfig { GroupId = "rhythmflow-admin", EnableAutoCommit = false }))
                .SetLogHandler((_, m) => KafkaLogging.Log(logger, "admin-offsets", m))
                .SetErrorHandler((_, e) => KafkaLogging.Error(logger, "admin-offsets", e))
                .Build());
    }

    public static KafkaAdmin Create(KafkaClientOptions options, ILogger? logger = null)
    {
        SettingsValidator.Validate(options, KafkaClientOptions.Section);
        KafkaNative.EnsureLoaded();
        return new KafkaAdmin(options, logger ?? Serilog.Core.Logger.None);
    }

    /// <summary>Creates the topics that do not exist yet; returns the ones it created.</summary>
    public async Task<IReadOnlyList<string>> EnsureTopicsAsync(
        IEnumerable<string> topics, int partitions, short replicationFactor, CancellationToken cancellationToken)
    {
        var missing = topics.Where(t => PartitionCount(t) is null).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        var specifications = missing.Select(t => new TopicSpecification
        {
            Name = t,
            NumPartitions = partitions,
            ReplicationFactor = replicationFactor,
        });
        try
        {
            await _admin.CreateTopicsAsync(specifications, new CreateTopicsOptions { RequestTimeout = RequestTimeout })
                .WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException ex)
        {
            var failed = ex.Results.Where(r => r.Error.Code is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists)).ToList();
            if (failed.Count > 0)
            {
                throw new RhythmFlowException(
                    $"Could not create Kafka topic(s) on {_bootstrapServers}: " +
                    string.Join("; ", failed.Select(r => $"'{r.Topic}': {r.Error.Code} ({r.Error.Reason})")),
                    "Create the topics yourself, or set Kafka:CreateTopics=false if the cluster auto-creates them.",
                    ex);
            }
        }
        catch (KafkaException ex)
        {
            throw Unreachable(ex);
        }

        return missing;
    }

    /// <summary>The number of partitions of a topic, or null when the topic does not exist.</summary>
    public int? PartitionCount(string topic)
    {
        try
        {
            // Asking for all topics: a metadata request naming one may auto-create it on brokers that allow that.
            var metadata = _admin.GetMetadata(RequestTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
            return metadata is null || metadata.Error.Code == ErrorCode.UnknownTopicOrPart || metadata.Partitions.Count == 0
                ? null
                : metadata.Partitions.Count;
        }
        catch (KafkaException ex)
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>The partitions of a topic, in order; empty when it does not exist.</summary>
    public IReadOnlyList<TopicPartition> Partitions(string topic) =>
        PartitionCount(topic) is { } count ? [.. Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p))] : [];

    /// <summary>The low (first retained) and high (next to be written) offsets of one partition.</summary>
    public WatermarkOffsets Watermarks(TopicPartition partition)
    {
        try
        {
            return _offsetReader.Value.QueryWatermarkOffsets(partition, RequestTimeout);
        }
        catch (KafkaException ex)
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>The number of messages currently retained in a topic (sum of high minus low watermarks).</summary>
    public long MessageCount(string topic) =>
        Partitions(topic).Sum(p => Watermarks(p) is var w ? w.High.Value - w.Low.Value : 0);

    public void Dispose()
    {
        _admin.Dispose();
        if (_offsetReader.IsValueCreated)
        {
            _offsetReader.Value.Dispose();
        }
    }

    private RhythmFlowException Unreachable(KafkaException ex) => new(
        $"Kafka at {_bootstrapServers} did not answer: {ex.Error.Code} ({ex.Error.Reason}).",
        "Check Kafka:BootstrapServers and that the broker runs (for a local one: 'rhythmflow dev-broker').",
        ex);
}
