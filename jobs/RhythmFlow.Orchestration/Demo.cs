using System.Diagnostics;
using Dapper;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Simulator;
using Serilog;

namespace RhythmFlow.Orchestration;

/// <summary>Time spent in one stage of the demo and what it produced, for the summary.</summary>
public sealed record StageResult(string Stage, TimeSpan Duration, string Detail);

/// <summary>What <c>rhythmflow demo</c> did, stage by stage; also written as JSON with <c>--summary-json</c>.</summary>
public sealed record DemoSummary(
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyDictionary<string, long> EventsProduced,
    int LakeFiles,
    int QuarantineFiles,
    IReadOnlyDictionary<string, long> WarehouseRows,
    IReadOnlyList<ChainRun> HourlyRuns,
    IReadOnlyList<string> SkippedStages,
    IReadOnlyList<StageResult> Stages);

/// <summary>
/// The embedded shape end to end: the dev broker in process, a simulated recent period produced into it, landed into
/// the lake, and the hourly chain (the <see cref="Pipelines.Hourly"/> DAG, through the same verbs) for every hour.
/// A stage whose verb this build lacks is reported as skipped, never faked.
/// </summary>
public sealed class Demo(IVerbInvoker invoker, ILogger logger, TimeProvider time)
{
    public async Task<DemoSummary> RunAsync(
        DemoOptions options, string workDir, NpgsqlDataSource warehouse, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var end = DataInterval.TruncateToHour(time.GetUtcNow());
        var start = end.AddHours(-options.Hours);
        var stages = new List<StageResult>();
        var skipped = new List<string>();

        progress?.Report($"starting the dev broker ({options.Partitions} partitions per topic)");
        var clock = Stopwatch.StartNew();
        using var broker = DevBroker.Start(options.Partitions);
        stages.Add(new StageResult("broker", clock.Elapsed, broker.BootstrapServers));

        progress?.Report($"simulating {options.Users:N0} users from {PipelineDag.Iso(start)} to {PipelineDag.Iso(end)} into Kafka");
        clock.Restart();
        var simulation = Simulation.Create(new SimulatorOptions { Users = options.Users, Start = start, End = end, Seed = options.Seed }, time);
        SimulationSummary simulated;
        await using (var sink = await KafkaEventSink.CreateAsync(
            new KafkaProducerOptions { BootstrapServers = broker.BootstrapServers, Partitions = options.Partitions }, logger, cancellationToken))
        {
            simulated = await simulation.RunAsync(sink, null, cancellationToken);
            await sink.FlushAsync(cancellationToken);
        }

        var produced = simulated.MessagesPerTopic.Values.Sum();
        stages.Add(new StageResult("simulate", clock.Elapsed, $"{produced:N0} messages"));

        string[] land = ["land", "--once", "--bootstrap-servers", broker.BootstrapServers];
        if (invoker.HasVerb(land))
        {
            progress?.Report("landing Kafka into the lake");
            clock.Restart();
            await RunVerbAsync(land, cancellationToken);
            stages.Add(new StageResult("land", clock.Elapsed, "lake batches committed"));
        }
        else
        {
            skipped.Add("land");
        }

        var runs = new List<ChainRun>();
        var missing = Pipelines.Hourly.Tasks.Where(t => !invoker.HasVerb(t.Arguments)).Select(t => t.TaskId).ToList();
        if (missing.Count == 0)
        {
            var runner = new ChainRunner(invoker, logger);
            var hours = new DataInterval(start, end).Hours().ToList();
            foreach (var (hour, index) in hours.Select((hour, index) => (hour, index)))
            {
                progress?.Report($"hourly chain {index + 1}/{hours.Count}: {PipelineDag.Iso(hour)}");
                runs.Add(await runner.RunAsync(Pipelines.Hourly, new DataInterval(hour, hour.AddHours(1)), cancellationToken));
            }

            foreach (var task in Pipelines.Hourly.RunOrder())
            {
                var total = runs.SelectMany(r => r.Tasks).Where(t => t.TaskId == task.TaskId).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
                stages.Add(new StageResult(task.TaskId, total, $"{runs.Count} hours"));
            }
        }
        else
        {
            skipped.Add($"hourly chain (this build lacks: {string.Join(", ", missing)})");
        }

        clock.Restart();
        var lakeFiles = CountParquet(workDir, quarantine: false);
        var quarantineFiles = CountParquet(workDir, quarantine: true);
        var rows = await CountWarehouseRowsAsync(warehouse, cancellationToken);
        stages.Add(new StageResult("summary", clock.Elapsed, $"{rows.Count} tables counted"));

        return new DemoSummary(start, end, simulated.MessagesPerTopic, lakeFiles, quarantineFiles, rows, runs, skipped, stages);
    }

    private async Task RunVerbAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var exitCode = await invoker.InvokeAsync(arguments, cancellationToken);
        if (exitCode != 0)
        {
            throw new RhythmFlowException(
                $"demo: 'rhythmflow {string.Join(' ', arguments)}' failed with exit code {exitCode}.",
                "The error above says why; the demo's work directory keeps everything for a look.");
        }
    }

    private static int CountParquet(string workDir, bool quarantine) =>
        Directory.Exists(workDir)
            ? Directory.EnumerateFiles(workDir, "*.parquet", SearchOption.AllDirectories)
                .Count(f => f.Contains($"{Path.DirectorySeparatorChar}quarantine{Path.DirectorySeparatorChar}", StringComparison.Ordinal) == quarantine)
            : 0;

    /// <summary>Rows of every table in the raw layer and the marts, keyed <c>schema.table</c>.</summary>
    private static async Task<IReadOnlyDictionary<string, long>> CountWarehouseRowsAsync(NpgsqlDataSource warehouse, CancellationToken cancellationToken)
    {
        await using var connection = await warehouse.OpenConnectionAsync(cancellationToken);
        var tables = await connection.QueryAsync<(string Schema, string Table)>(new CommandDefinition(
            """
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND (table_schema = 'raw' OR table_schema LIKE '%marts')
            ORDER BY 1, 2
            """,
            cancellationToken: cancellationToken));
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, table) in tables)
        {
            // Names come from the catalog, quoted as identifiers; nothing user-supplied reaches this SQL.
            var name = $"{Quote(schema)}.{Quote(table)}";
            rows[$"{schema}.{table}"] = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition($"SELECT count(*) FROM {name}", cancellationToken: cancellationToken));
        }

        return rows;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
