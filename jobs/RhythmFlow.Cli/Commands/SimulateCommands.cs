using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Simulator;
using RhythmFlow.Simulator.Output;
using Spectre.Console;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow simulate</c>: eventsim-compatible events into Kafka, NDJSON files or stdout.</summary>
internal static class SimulateCommands
{
    private const string Section = "Simulator";

    public static IEnumerable<Command> Create() => [Simulate()];

    private static Command Simulate()
    {
        var users = new Option<int?>("--users") { Description = "Initial number of users (setting Simulator:Users, default 1000)." };
        var start = new Option<DateTimeOffset?>("--start")
        {
            Description = "Start, ISO-8601 UTC such as 2024-03-04T00:00:00Z; only later events are emitted (default: now - 1 day, or now with --continuous).",
        };
        var end = new Option<DateTimeOffset?>("--end") { Description = "End, ISO-8601 UTC, exclusive (default: start + 1 day)." };
        var seed = new Option<long?>("--seed") { Description = "Random seed; the same seed and options give byte-identical output (default: the config's seed)." };
        var config = new Option<string>("--config") { Description = "eventsim JSON config file (default: eventsim's example-config.json, built in)." };
        var catalog = new Option<string>("--catalog") { Description = "Song catalog in eventsim's listen_counts format, plain or gzip (default: a generated catalog)." };
        var growth = new Option<double?>("--growth-rate") { Description = "Annual user growth as a fraction: new Guest users arrive during the run (default 0)." };
        var firstUserId = new Option<long?>("--first-user-id") { Description = "userIds start at this value + 1, as in eventsim (default 1)." };
        var tag = new Option<string>("--tag") { Description = "Add a \"tag\" field to events that carry user details." };
        var sink = new Option<string>("--sink") { Description = "Where events go: kafka, ndjson (one file per topic), stdout (JSON lines, topics mixed) or null.", DefaultValueFactory = _ => "ndjson" };
        sink.AcceptOnlyFromAmong("kafka", "ndjson", "stdout", "null");
        var output = new Option<string>("--out") { Description = "Folder for --sink ndjson: <topic>.ndjson per topic (default: <work-dir>/events)." };
        var gzip = new Option<bool>("--gzip") { Description = "With --sink ndjson, write <topic>.ndjson.gz." };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: one per processor). The output does not depend on it." };
        var continuous = new Option<bool>("--continuous") { Description = "Pace events to the wall clock (eventsim's --continuous) instead of running as fast as possible." };
        var speed = new Option<double?>("--speed") { Description = "With --continuous, run simulated time this many times faster than the wall clock (default 1)." };
        var kafka = new KafkaEndpointOptions();

        var command = new Command(
            "simulate",
            "Simulate a music service's listeners with eventsim's model and emit its four event streams " +
            $"({string.Join(", ", Topics.All)}) with eventsim's exact JSON shape.")
        {
            users, start, end, seed, config, catalog, growth, firstUserId, tag, sink, output, gzip, threads, continuous, speed,
        };
        kafka.AddTo(command);

        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var options = context.Bind<SimulatorOptions>(Section, o =>
            {
                o.Users = parseResult.GetValue(users) ?? o.Users;
                o.Start = parseResult.GetValue(start) ?? o.Start;
                o.End = parseResult.GetValue(end) ?? o.End;
                o.Seed = parseResult.GetValue(seed) ?? o.Seed;
                o.ConfigPath = parseResult.GetValue(config) ?? o.ConfigPath;
                o.CatalogPath = parseResult.GetValue(catalog) ?? o.CatalogPath;
                o.GrowthRate = parseResult.GetValue(growth) ?? o.GrowthRate;
                o.FirstUserId = parseResult.GetValue(firstUserId) ?? o.FirstUserId;
                o.Tag = parseResult.GetValue(tag) ?? o.Tag;
                o.Threads = parseResult.GetValue(threads) ?? o.Threads;
                o.Continuous = parseResult.GetValue(continuous) || o.Continuous;
                o.Speed = parseResult.GetValue(speed) ?? o.Speed;
            });
            var sinkName = parseResult.GetValue(sink)!;
            if (sinkName != "kafka" && (parseResult.GetValue(kafka.DevBroker) || parseResult.GetValue(kafka.BootstrapServers) is not null))
            {
                throw new UsageException($"--dev-broker and --bootstrap-servers only apply to --sink kafka; got --sink {sinkName}.", "Add --sink kafka.");
            }

            // CPU time (user + sys, all threads) is what a run costs on a loaded machine, where wall time is noise.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var loading = context.Time.GetTimestamp();
            var simulation = Simulation.Create(options, context.Time);
            var loaded = context.Time.GetElapsedTime(loading);
            context.Logger.Information(
                "Simulating {Users} users ({FinalUsers} with growth) from {Start:O} to {End:O}, seed {Seed}, config {Config}, {Threads} threads, into {Sink}",
                simulation.InitialUsers, simulation.FinalUsers, simulation.Start, simulation.End, simulation.Seed, simulation.ConfigSource, simulation.Threads, sinkName);

            using var endpoint = sinkName == "kafka" ? kafka.Resolve(parseResult, context) : null;
            await using var eventSink = await OpenSinkAsync(sinkName, parseResult.GetValue(output), parseResult.GetValue(gzip), endpoint, context, cancellationToken);
            var summary = context.IsInteractive && sinkName != "stdout"
                ? await RunWithProgressAsync(simulation, eventSink, cancellationToken)
                : await simulation.RunAsync(eventSink, null, cancellationToken);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Report(summary, loaded, cpu, sinkName == "stdout" ? Console.Error : Console.Out, context);
            return 0;
        });
    }

    private static async Task<IEventSink> OpenSinkAsync(
        string name, string? output, bool gzip, KafkaEndpoint? endpoint, CliContext context, CancellationToken cancellationToken) => name switch
    {
        "kafka" => await KafkaEventSink.CreateAsync(endpoint!.BindProducer(context), context.Logger, cancellationToken),
        "stdout" => new StreamEventSink(Console.OpenStandardOutput()),
        "null" => new NullEventSink(),
        _ => NdjsonEventSink.Open(output ?? Path.Combine(context.WorkDir, "events"), gzip),
    };

    private static async Task<SimulationSummary> RunWithProgressAsync(Simulation simulation, IEventSink sink, CancellationToken cancellationToken)
    {
        // Progress goes to stderr so stdout stays clean for the summary and for pipes.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var total = (simulation.End - simulation.Start).TotalSeconds;
        SimulationSummary? summary = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("simulating", maxValue: total);
                var progress = new Progress<SimulationProgress>(p =>
                {
                    task.Value = (p.SimulatedClock - simulation.Start).TotalSeconds;
                    task.Description = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{p.SimulatedClock:yyyy-MM-dd HH:mm}Z  {p.Events:N0} events  {p.EventsPerSecond:N0}/s");
                });
                summary = await simulation.RunAsync(sink, progress, cancellationToken);
                task.Value = total;
            });
        return summary!;
    }

    private static void Report(SimulationSummary summary, TimeSpan loaded, TimeSpan cpu, TextWriter writer, CliContext context)
    {
        context.Logger.Information(
            "Simulated {Events} events ({Messages} messages) for {FinalUsers} users, {Churned} churned, in {Seconds:F1} s ({Rate:F0} events/s; setup {Setup:F2} s, {CpuSeconds:F2} CPU-seconds)",
            summary.Events, summary.Messages, summary.FinalUsers, summary.ChurnedUsers, summary.Elapsed.TotalSeconds, summary.EventsPerSecond,
            summary.Setup.TotalSeconds, cpu.TotalSeconds);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated {summary.Start:O} .. {summary.End:O}, seed {summary.Seed}"));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"users: {summary.InitialUsers} initial, {summary.FinalUsers} final, {summary.ChurnedUsers} churned; sessions: {summary.Sessions}"));
        foreach (var topic in Topics.All)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{topic,-22} {summary.MessagesPerTopic.GetValueOrDefault(topic),12}"));
        }

        // Events are emitted simulated events (page views). The run's time splits into setup (users and the
        // unemitted pre-roll) and emitting; loading the config, catalog and tables comes before both.
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events: {summary.Events} in {summary.Elapsed.TotalSeconds:F2} s ({summary.EventsPerSecond:F0} events/s)"));
        writer.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"phases: loading {loaded.TotalSeconds:F2} s, setup (users, pre-roll) {summary.Setup.TotalSeconds:F2} s, emitting {(summary.Elapsed - summary.Setup).TotalSeconds:F2} s ({summary.EmittingEventsPerSecond:F0} events/s)"));
        var perCpuSecond = cpu > TimeSpan.Zero ? summary.Events / cpu.TotalSeconds : 0;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu: {cpu.TotalSeconds:F2} s user+sys from loading to the end ({perCpuSecond:F0} events per CPU-second)"));
    }
}
