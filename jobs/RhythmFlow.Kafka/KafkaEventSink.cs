using System.Buffers.Text;
using Confluent.Kafka;
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
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan FlushSlice = TimeSpan.FromMilliseconds(200);

    private readonly IProducer<byte[], byte[]> _producer;
    private readonly ILogger _logger;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private readonly string _bootstrapServers;
    private DeliveryFailure? _failure;
    private long _written;
    private long _delivered;

    private KafkaEventSink(KafkaProducerOptions options, ILogger logger)
    {
        _logger = logger;
        _bootstrapServers = options.BootstrapServers;
        _onDelivery = OnDelivery;
        _producer = new ProducerBuilder<byte[], byte[]>(options.ToProducerConfig())
            .SetLogHandler((_, m) => KafkaLogging.Log(logger, "producer", m))
            .SetErrorHandler((_, e) => OnClientError(e))
            .Build();
    }

    /// <summary>Events handed to the producer so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Events the brokers acknowledged so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Validates the options, loads librdkafka, creates the missing event topics and builds the producer.</summary>
    public static async Task<KafkaEventSink> CreateAsync(
        KafkaProducerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        SettingsValidator.Validate(options, KafkaClientOptions.Section);
        KafkaNative.EnsureLoaded();
        logger ??= Serilog.Core.Logger.None;
        var sink = new KafkaEventSink(options, logger);
        try
        {
            if (options.CreateTopics)
            {
                using var admin = KafkaAdmin.Over(sink._producer.Handle, options, logger);
                var created = await admin.EnsureTopicsAsync(Topics.All, options.Partitions, options.ReplicationFactor, cancellationToken);
                if (created.Count > 0)
                {
                    logger.Information(
                        "Created Kafka topics {Topics} with {Partitions} partitions on {BootstrapServers}",
                        created, options.Partitions, options.BootstrapServers);
                }
            }
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }

        logger.Debug(
            "Producing to {BootstrapServers} with {Compression} compression, linger {LingerMs} ms, librdkafka {Version}",
            options.BootstrapServers, options.Compression, options.LingerMs, KafkaNative.LibrdkafkaVersion);
        return sink;
    }

    /// <inheritdoc />
    public void Write(string topic, long userKey, ReadOnlySpan<byte> json)
    {
        ThrowIfFailed();
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(userKey, digits, out var length);
        var message = new Message<byte[], byte[]> { Key = digits[..length].ToArray(), Value = json.ToArray() };
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, _onDelivery);
                Interlocked.Increment(ref _written);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: the client's buffer is full until the brokers acknowledge earlier batches.
                Thread.Sleep(QueueFullBackoff);
                ThrowIfFailed();
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                throw new RhythmFlowException(
                    $"Kafka rejected an event for topic '{topic}' before sending it: {ex.Error.Code} ({ex.Error.Reason}).",
                    "Check the event size against the broker's message.max.bytes and the topic name.",
                    ex);
            }
        }
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
        if (outstanding > 0 || _failure is not null)
        {
            // FlushAsync is where failures surface; reaching here means the caller stopped early.
            _logger.Error(
                "Kafka producer closed with {Outstanding} undelivered events of {Written} written ({Delivered} delivered)",
                outstanding, Written, Delivered);
        }

        _producer.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(
                ref _failure,
                new DeliveryFailure(report.Topic, report.Partition.Value, report.Error.Code, report.Error.Reason),
                null);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    private void OnClientError(Error error)
    {
        KafkaLogging.Error(_logger, "producer", error);
        if (error.IsFatal)
        {
            // A fatal idempotence error means ordering or exactly-once can no longer be guaranteed.
            Interlocked.CompareExchange(ref _failure, new DeliveryFailure(null, null, error.Code, error.Reason), null);
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
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

    private sealed record DeliveryFailure(string? Topic, int? Partition, ErrorCode Code, string Reason);
}
