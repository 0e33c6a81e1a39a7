using System.Buffers.Text;
using System.Runtime.CompilerServices;
using RhythmFlow.Contracts;
using Serilog;

namespace RhythmFlow.Kafka;

/// <summary>
/// Produces simulator events to their Kafka topics, keyed by user (the decimal user key) so each user's events
/// stay in one partition, in order. The producer is idempotent, compresses and batches. A failed delivery is
/// never dropped: the first one makes every later <see cref="Write"/> and <see cref="FlushAsync"/> throw,
/// naming the topic, partition and error.
/// </summary>
public sealed class KafkaEventSink : IEventSink
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan FlushSlice = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan TopicCheckTimeout = TimeSpan.FromSeconds(30);

    private readonly NativeProducer _producer;
    private readonly ILogger _logger;
    private readonly string _bootstrapServers;
    private long _written;

    private KafkaEventSink(NativeProducer producer, string bootstrapServers, ILogger logger)
    {
        _producer = producer;
        _bootstrapServers = bootstrapServers;
        _logger = logger;
    }

    /// <summary>Events handed to the producer so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events the brokers acknowledged so far.</summary>
    public long Delivered => _producer.Delivered;

    /// <summary>Validates the options, loads librdkafka, creates the missing event topics and builds the producer.</summary>
    public static async Task<KafkaEventSink> CreateAsync(
        KafkaProducerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        SettingsValidator.Validate(options, KafkaClientOptions.Section);
        KafkaNative.EnsureLoaded();
        logger ??= Serilog.Core.Logger.None;
        var producer = NativeProducer.Create(options.ToProducerConfig(), logger);
        try
        {
            if (options.CreateTopics
                && Topics.All.Except(producer.ExistingTopics(TopicCheckTimeout, options.BootstrapServers)).Any())
            {
                using var admin = KafkaAdmin.Create(options, logger);
                var created = await admin.EnsureTopicsAsync(Topics.All, options.Partitions, options.ReplicationFactor, cancellationToken);
                logger.Information(
                    "Created Kafka topics {Topics} with {Partitions} partitions on {BootstrapServers}",
                    created, options.Partitions, options.BootstrapServers);
            }
        }
        catch
        {
            producer.Dispose();
            throw;
        }

        logger.Debug(
            "Producing to {BootstrapServers} with {Compression} compression, linger {LingerMs} ms, librdkafka {Version}",
            options.BootstrapServers, options.Compression, options.LingerMs, KafkaNative.LibrdkafkaVersion);
        return new KafkaEventSink(producer, options.BootstrapServers, logger);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        ThrowIfFailed();
        Span<byte> key = stackalloc byte[20];
        Utf8Formatter.TryFormat(userKey, key, out var length);
        string? rejection;
        while (!_producer.TryProduce(topic, key[..length], json, out rejection) && rejection is null)
        {
            // Back-pressure: the client's buffer is full until the brokers acknowledge earlier batches; serving
            // their delivery reports frees the room.
            _producer.Poll(QueueFullBackoff);
            ThrowIfFailed();
        }

        if (rejection is not null)
        {
            throw new RhythmFlowException(
                $"Kafka rejected an event for topic '{topic}' before sending it: {rejection}.",
                "Check the event size against the broker's message.max.bytes and the topic name.");
        }

        Interlocked.Increment(ref _written);
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await Task.Run(
            () =>
            {
                while (_producer.Flush(FlushSlice) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ThrowIfFailed();
                }
            },
            cancellationToken);
        ThrowIfFailed();
    }

    public ValueTask DisposeAsync()
    {
        var outstanding = _producer.Flush(TimeSpan.FromSeconds(10));
        if (outstanding > 0 || _producer.FirstFailure is not null)
        {
            // FlushAsync is where failures surface; reaching here means the caller stopped early.
            _logger.Error(
                "Kafka producer closed with {Outstanding} undelivered events of {Written} written ({Delivered} delivered)",
                outstanding, Written, Delivered);
        }

        _producer.Dispose();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfFailed()
    {
        if (_producer.FirstFailure is { } failure)
        {
            var where = failure.Topic is null
                ? "the producer"
                : $"topic '{failure.Topic}' partition {(failure.Partition is >= 0 ? failure.Partition : "unassigned")}";
            throw new RhythmFlowException(
                $"Kafka delivery to {where} on {_bootstrapServers} failed: {failure.Code} ({failure.Reason}). " +
                $"{Delivered} of {Written} events were acknowledged; the run is incomplete.",
                "Check that the brokers are reachable and the topics exist, then re-run with the same seed.");
        }
    }
}
