using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;

namespace RhythmFlow.Cli.Commands;

/// <summary>
/// <c>rhythmflow dev-broker</c> (a standalone Kafka-protocol broker for local work and tests) and
/// <c>rhythmflow kafka produce</c> (replays an NDJSON file into a topic).
/// </summary>
internal static class KafkaCommands
{
    public static IEnumerable<Command> Create() => [DevBroker(), Kafka()];

    private static Command DevBroker()
    {
        var partitions = new Option<int?>("--partitions")
        {
            Description = "Partitions of each event topic (setting Kafka:DevBroker:Partitions, default 4).",
        };
        var brokers = new Option<int?>("--brokers")
        {
            Description = "Brokers in the mock cluster (setting Kafka:DevBroker:Brokers, default 1).",
        };
        var command = new Command(
            "dev-broker",
            "Run librdkafka's in-memory mock Kafka cluster on 127.0.0.1 until interrupted (Ctrl+C or SIGTERM). " +
            "The first line on stdout is 'bootstrap.servers=127.0.0.1:PORT'; any Kafka client can connect to it. " +
            "Data lives only as long as this process.")
        {
            partitions,
            brokers,
        };
        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var options = context.Bind<DevBrokerOptions>(DevBrokerOptions.Section, o =>
            {
                o.Partitions = parseResult.GetValue(partitions) ?? o.Partitions;
                o.Brokers = parseResult.GetValue(brokers) ?? o.Brokers;
            });
            using var broker = options.Start();

            // Scripts read this line to find the broker, so it goes first and unbuffered.
            await Console.Out.WriteLineAsync($"bootstrap.servers={broker.BootstrapServers}");
            await Console.Out.FlushAsync(cancellationToken);
            context.Logger.Information(
                "Dev broker listening on {BootstrapServers} with topics {Topics} ({Partitions} partitions each); stop with Ctrl+C",
                broker.BootstrapServers, Topics.All, broker.Partitions);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Logger.Information("Dev broker on {BootstrapServers} stopped", broker.BootstrapServers);
            }

            return 0;
        });
    }

    private static Command Kafka()
    {
        var topic = new Option<string>("--topic")
        {
            Description = $"Topic to produce to: {string.Join(", ", Topics.All)}.",
            Required = true,
        };
        topic.AcceptOnlyFromAmong([.. Topics.All]);
        var input = new Option<string>("--in")
        {
            Description = "NDJSON file of events, one JSON object per line (.gz is decompressed).",
            Required = true,
        };
        var endpoint = new KafkaEndpointOptions();
        var produce = new Command(
            "produce",
            "Produce an NDJSON file of events into a topic with RhythmFlow's producer (keyed by userId, or sessionId " +
            "for guests; idempotent; compressed), then print the count and rate. Used by bench/kafka-produce-vs-kcat.sh.")
        {
            topic,
            input,
        };
        endpoint.AddTo(produce);
        produce.WithAction(async (parseResult, context, cancellationToken) =>
        {
            using var kafka = endpoint.Resolve(parseResult, context);
            var path = parseResult.GetValue(input)!;
            var topicName = parseResult.GetValue(topic)!;
            var stopwatch = Stopwatch.StartNew();
            long events;
            await using (var stream = NdjsonReplay.Open(path))
            await using (var sink = await KafkaEventSink.CreateAsync(kafka.BindProducer(context), context.Logger, cancellationToken))
            {
                events = await NdjsonReplay.WriteAsync(sink, topicName, stream, path, cancellationToken);
                await sink.FlushAsync(cancellationToken);
            }

            var seconds = stopwatch.Elapsed.TotalSeconds;
            await Console.Out.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"produced {events} events to {topicName} in {seconds:F3} s ({events / seconds:F0} events/s)"));
            return 0;
        });

        return new Command("kafka", "Kafka utilities.") { produce };
    }
}

/// <summary>
/// The <c>--bootstrap-servers</c> and <c>--dev-broker</c> options every Kafka verb shares (simulate, land, demo,
/// kafka produce): add them with <see cref="AddTo"/>, then <see cref="Resolve"/> inside the action.
/// </summary>
internal sealed class KafkaEndpointOptions
{
    public Option<string> BootstrapServers { get; } = new("--bootstrap-servers")
    {
        Description = "Kafka brokers as host:port[,host:port] (setting Kafka:BootstrapServers).",
    };

    public Option<bool> DevBroker { get; } = new("--dev-broker")
    {
        Description = "Start an in-process dev broker (librdkafka's mock cluster) for this run and use it; " +
            "its data is gone when the command ends. Partitions: setting Kafka:DevBroker:Partitions.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(BootstrapServers);
        command.Options.Add(DevBroker);
    }

    /// <summary>Starts the dev broker when asked for; dispose the result when the verb is done with Kafka.</summary>
    public KafkaEndpoint Resolve(ParseResult parseResult, CliContext context)
    {
        var servers = parseResult.GetValue(BootstrapServers);
        if (!parseResult.GetValue(DevBroker))
        {
            return new KafkaEndpoint(servers, null);
        }

        if (servers is not null)
        {
            throw new UsageException(
                "--dev-broker and --bootstrap-servers were both given.",
                "Use --dev-broker for a throwaway in-process broker, or --bootstrap-servers for an existing one.");
        }

        var broker = context.Bind<DevBrokerOptions>(DevBrokerOptions.Section).Start();
        context.Logger.Information(
            "Started an in-process dev broker on {BootstrapServers} ({Partitions} partitions per topic)",
            broker.BootstrapServers, broker.Partitions);
        return new KafkaEndpoint(broker.BootstrapServers, broker);
    }
}

/// <summary>Where this run's Kafka is; owns the in-process dev broker when there is one.</summary>
internal sealed class KafkaEndpoint(string? bootstrapServers, DevBroker? broker) : IDisposable
{
    /// <summary>The dev broker this run started, or null when using configured brokers.</summary>
    public DevBroker? Broker { get; } = broker;

    /// <summary>Binds <c>Kafka</c> producer settings, with this endpoint's servers taking precedence.</summary>
    public KafkaProducerOptions BindProducer(CliContext context, Action<KafkaProducerOptions>? overrides = null) =>
        context.Bind<KafkaProducerOptions>(KafkaClientOptions.Section, o =>
        {
            o.BootstrapServers = bootstrapServers ?? o.BootstrapServers;
            overrides?.Invoke(o);
        });

    /// <summary>Binds <c>Kafka</c> consumer settings, with this endpoint's servers taking precedence.</summary>
    public KafkaConsumerOptions BindConsumer(CliContext context, Action<KafkaConsumerOptions>? overrides = null) =>
        context.Bind<KafkaConsumerOptions>(KafkaClientOptions.Section, o =>
        {
            o.BootstrapServers = bootstrapServers ?? o.BootstrapServers;
            overrides?.Invoke(o);
        });

    public void Dispose() => Broker?.Dispose();
}
