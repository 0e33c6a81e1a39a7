using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Kafka;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Simulator;
using Serilog;

namespace RhythmFlow.Orchestration;

/// <summary>Time spent in one stage of the demo and what it produced, for the summary.</summary>
public sealed record StageResult(string Stage, TimeSpan Duration, string Detail);

/// <summary>Expectations evaluated by the validate tasks of the demo, per GX suite.</summary>
public sealed record CheckCount(string Suite, int Passed, int Failed);

/// <summary>What <c>rhythmflow demo</c> did, stage by stage; also written as JSON with <c>--summary-json</c>.</summary>
public sealed record DemoSummary(
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyDictionary<string, long> EventsProduced,
    long EventsLanded,
    long EventsQuarantined,
    int LandingBatches,
    int LakeFiles,
    int QuarantineFiles,
    IReadOnlyDictionary<string, long> WarehouseRows,
    IReadOnlyList<CheckCount> Checks,
    int HoursSucceeded,
    int HoursFailed,
    IReadOnlyList<StageResult> Stages);

/// <summary>
/// The embedded shape end to end: the dev broker in process, a simulated recent period produced into it and landed into
/// the lake in two-minute batches of simulated time, as the landing DAG would have (<see cref="DemoLanding"/>), and the
/// hourly chain (<see cref="Pipelines.Hourly"/>, through the same verbs Airflow runs) for every hour as a backfill.
/// </summary>
public sealed class Demo(IVerbInvoker invoker, ILogger logger, TimeProvider time)
{
    public async Task<DemoSummary> RunAsync(
        DemoOptions options,
        DemoPaths paths,
        NpgsqlDataSource warehouse,
        IProgress<string>? progress,
        IProgress<BackfillStep>? hourly,
        CancellationToken cancellationToken)
    {
        var end = options.End ?? DataInterval.TruncateToHour(time.GetUtcNow());
        if (DataInterval.TruncateToHour(end) != end)
        {
            throw new UsageException($"--end {PipelineDag.Iso(end)} is not on the hour.", $"Try --end {PipelineDag.Iso(DataInterval.TruncateToHour(end))}.");
        }

        var start = end.AddHours(-options.Hours);
        var stages = new List<StageResult>();
        var checksBefore = ValidationResults(paths.QualityDir).ToHashSet(StringComparer.Ordinal);

        progress?.Report($"starting the dev broker ({options.Partitions} partitions per topic)");
        var clock = Stopwatch.StartNew();
        using var broker = DevBroker.Start(options.Partitions);
        stages.Add(new StageResult("broker", clock.Elapsed, broker.BootstrapServers));

        progress?.Report($"simulating {options.Users:N0} users from {PipelineDag.Iso(start)} to {PipelineDag.Iso(end)} into Kafka, landing every two simulated minutes");
        clock.Restart();
        var simulation = Simulation.Create(new SimulatorOptions { Users = options.Users, Start = start, End = end, Seed = options.Seed }, time);
        SimulationSummary simulated;
        IReadOnlyList<LakeCommit> batches;
        TimeSpan landing;
        await using (var lake = await DemoLanding.StartAsync(broker, paths.LakeRoot, start, logger, time, cancellationToken))
        {
            simulated = await simulation.RunAsync(lake, null, cancellationToken);
            await lake.StopAsync();
            batches = lake.Commits;
            landing = lake.LandingTime;
        }

        var produced = simulated.MessagesPerTopic.Values.Sum();
        stages.Add(new StageResult("simulate", clock.Elapsed - landing, $"{produced:N0} messages"));
        stages.Add(new StageResult("land", landing, $"{batches.Count} batches of two simulated minutes"));
        progress?.Report($"produced {produced:N0} messages, landed in {batches.Count} batches");

        progress?.Report($"hourly chain for {options.Hours} hours: {string.Join(" → ", Pipelines.Hourly.RunOrder().Select(t => t.TaskId))}");
        var backfill = new Backfill(new ChainRunner(invoker, logger), new IntervalRunStore(warehouse, time), logger);
        var result = await backfill.RunAsync(
            Pipelines.Hourly, Backfill.HourlyIntervals(start, end), ReprocessBehavior.Completed, hourly, cancellationToken);
        foreach (var task in Pipelines.Hourly.RunOrder())
        {
            var runs = result.Steps.Where(s => s.Run is not null).SelectMany(s => s.Run!.Tasks).Where(t => t.TaskId == task.TaskId).ToList();
            stages.Add(new StageResult(task.TaskId, runs.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration), $"{runs.Count} hours"));
        }

        clock.Restart();
        var commits = Directory.Exists(paths.LakeRoot)
            ? (await LakeCommitLog.OpenAsync(new LocalLakeStorage(paths.LakeRoot, time), cancellationToken)).Commits
            : [];
        var files = commits.SelectMany(c => c.Files).ToList();
        var rows = await CountWarehouseRowsAsync(warehouse, cancellationToken);
        var checks = CountChecks(ValidationResults(paths.QualityDir).Where(f => !checksBefore.Contains(f)));
        stages.Add(new StageResult("summary", clock.Elapsed, $"{rows.Count} tables counted"));

        return new DemoSummary(
            start,
            end,
            simulated.MessagesPerTopic,
            commits.Sum(c => c.Stats?.Written ?? 0),
            commits.Sum(c => c.Stats?.Quarantined ?? 0),
            batches.Count,
            files.Count(f => f.Kind == LakeFileKind.Raw),
            files.Count(f => f.Kind == LakeFileKind.Quarantine),
            rows,
            checks,
            result.Count(IntervalOutcome.Succeeded),
            result.Count(IntervalOutcome.Failed),
            stages);
    }

    private static IEnumerable<string> ValidationResults(string qualityDir)
    {
        var folder = Path.Combine(qualityDir, "validations");
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories) : [];
    }

    /// <summary>Sums the <c>statistics</c> of GX validation results (the format the validate verb writes) per suite.</summary>
    private static IReadOnlyList<CheckCount> CountChecks(IEnumerable<string> resultFiles) =>
        [
            .. resultFiles
                .Select(file =>
                {
                    using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                    var statistics = document.RootElement.GetProperty("statistics");
                    return new CheckCount(
                        document.RootElement.GetProperty("suite_name").GetString()!,
                        statistics.GetProperty("successful_expectations").GetInt32(),
                        statistics.GetProperty("unsuccessful_expectations").GetInt32());
                })
                .GroupBy(c => c.Suite, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new CheckCount(g.Key, g.Sum(c => c.Passed), g.Sum(c => c.Failed))),
        ];

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
            rows[$"{schema}.{table}"] = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition($"SELECT count(*) FROM {Quote(schema)}.{Quote(table)}", cancellationToken: cancellationToken));
        }

        return rows;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>Where the verbs the demo runs keep the lake and the quality results (their own settings decide).</summary>
public sealed record DemoPaths(string LakeRoot, string QualityDir);
