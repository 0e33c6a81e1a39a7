using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;
using RhythmFlow.Testing;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>
/// The real chain end to end, through the built CLI in child processes: a small demo (which also serves as the
/// uninterrupted backfill), re-runs of an hour, and a backfill killed with SIGKILL and resumed.
/// </summary>
public sealed class PipelineTests(PipelineTests.DemoRun demo) : IClassFixture<PipelineTests.DemoRun>
{
    private const string End = "2026-03-29T18:00:00Z";
    private const int Hours = 6;

    [Fact]
    public void Demo_SmallRun_EveryStageProducedDataAndEveryCheckPassed()
    {
        var summary = demo.Summary;

        demo.ExitCode.ShouldBe(0, demo.Stderr);
        var produced = summary["eventsProduced"]!.AsObject().ToDictionary(e => e.Key, e => (long)e.Value!);
        produced.Keys.ShouldBe(Contracts.Topics.All, ignoreOrder: true);
        produced.Values.ShouldAllBe(count => count > 0);
        ((long)summary["eventsLanded"]!).ShouldBe(produced.Values.Sum(), "every produced event lands exactly once");
        ((long)summary["eventsQuarantined"]!).ShouldBe(0);
        ((int)summary["lakeFiles"]!).ShouldBeGreaterThan(0);
        ((int)summary["hoursSucceeded"]!).ShouldBe(Hours);
        ((int)summary["hoursFailed"]!).ShouldBe(0);

        var rows = summary["warehouseRows"]!.AsObject().ToDictionary(e => e.Key, e => (long)e.Value!);
        rows.Where(r => r.Key.StartsWith("raw.", StringComparison.Ordinal)).Count().ShouldBe(Contracts.Topics.All.Count);
        rows.Where(r => r.Key.StartsWith("raw.", StringComparison.Ordinal)).ShouldAllBe(r => r.Value > 0);
        rows.Keys.ShouldContain(k => k.EndsWith(".fct_streams", StringComparison.Ordinal));
        rows.Where(r => r.Key.EndsWith(".fct_streams", StringComparison.Ordinal)).ShouldAllBe(r => r.Value > 0);

        var checks = summary["checks"]!.AsArray().Select(c => ((string)c!["suite"]!, (int)c["passed"]!, (int)c["failed"]!)).ToList();
        checks.ShouldNotBeEmpty();
        checks.ShouldAllBe(c => c.Item2 > 0 && c.Item3 == 0);
        summary["stages"]!.AsArray().Select(s => (string)s!["stage"]!)
            .ShouldBe(["warehouse", "broker", "simulate", "land", "transform", "validate_raw", "model_build", "validate_marts", "summary"]);
    }

    [Fact]
    public async Task Demo_SmallRun_OneLandingBatchPerTwoMinuteWindowOfSimulatedTime()
    {
        // Given: the demo landed six simulated hours
        var log = await LakeCommitLog.OpenAsync(new LocalLakeStorage(demo.LakeRoot, TimeProvider.System), CancellationToken.None);
        var batches = log.Commits.Where(c => c.Kind == LakeCommitKind.Batch).ToList();

        // When: every batch's events are read back from its raw files
        var windowOfBatch = batches.ToDictionary(b => b.BatchId, b => b.Files.Where(f => f.Kind == LakeFileKind.Raw)
            .SelectMany(f => EventTimes(Path.Combine(demo.LakeRoot, f.Key)))
            .Select(DemoLanding.WindowOf)
            .Distinct()
            .ToList());

        // Then: each batch holds one two-minute window, committed at the window's end on the simulated clock, no window
        // is split over batches, and there are as many batches as windows with events (counted in the warehouse too)
        batches.ShouldNotBeEmpty();
        foreach (var batch in batches)
        {
            var windows = windowOfBatch[batch.BatchId];
            windows.ShouldHaveSingleItem($"batch {batch.BatchId} spans {string.Join(", ", windows)}");
            batch.CommittedAt.ShouldBe(windows[0] + DemoLanding.Window);
            batch.Stats!.CloseReason.ShouldBe("max-interval");
        }

        var windowsLanded = windowOfBatch.Values.Select(w => w[0]).ToList();
        windowsLanded.ShouldBeUnique();
        var start = DateTimeOffset.Parse(End, CultureInfo.InvariantCulture).AddHours(-Hours);
        windowsLanded.ShouldAllBe(w => w >= start && w < start.AddHours(Hours));
        ((int)demo.Summary["landingBatches"]!).ShouldBe(batches.Count);
        (await WindowsWithEvents(demo.Uninterrupted)).ShouldBe(batches.Count);
    }

    [Fact]
    public async Task RunHourly_SameIntervalTwice_IdenticalMarts()
    {
        // Given: the demo built every hour once
        var before = await Checksums(demo.Uninterrupted);

        // When: one of those hours runs again, twice
        string[] hour = ["run", "hourly", "--interval-start", "2026-03-29T15:00:00Z", "--interval-end", "2026-03-29T16:00:00Z"];
        (await demo.CliAsync(demo.Uninterrupted, hour)).ExitCode.ShouldBe(0);
        var once = await Checksums(demo.Uninterrupted);
        (await demo.CliAsync(demo.Uninterrupted, hour)).ExitCode.ShouldBe(0);
        var twice = await Checksums(demo.Uninterrupted);

        // Then
        once.ShouldBe(before);
        twice.ShouldBe(before);
    }

    [Fact]
    public async Task Backfill_KilledAndResumed_EqualsUninterrupted()
    {
        // Given: a backfill of the same six hours into a second warehouse, killed (SIGKILL) after two hours
        string[] backfill = ["backfill", "--from", "2026-03-29T12:00:00Z", "--to", End];
        await demo.CliUntilAsync(demo.Interrupted, backfill, line => line.Contains($" 2/{Hours} ", StringComparison.Ordinal));
        var states = await demo.StatesAsync(demo.Interrupted);
        states.Count(s => s == "succeeded").ShouldBeInRange(2, Hours - 1);

        // When: the same command runs again
        var resumed = await demo.CliAsync(demo.Interrupted, backfill);

        // Then: every hour succeeded, the finished ones were skipped, and the warehouse equals the uninterrupted one
        resumed.ExitCode.ShouldBe(0, resumed.Stderr);
        resumed.Stdout.ShouldContain("skipped");
        (await demo.StatesAsync(demo.Interrupted)).ShouldAllBe(s => s == "succeeded");
        (await Checksums(demo.Interrupted)).ShouldBe(await Checksums(demo.Uninterrupted));
    }

    private static List<DateTimeOffset> EventTimes(string file)
    {
        using var reader = ParquetReader.Open(file);
        var times = new List<DateTimeOffset>();
        foreach (var group in reader.ReadRowGroups(["ts"]))
        {
            foreach (var millis in group.Column("ts").Int64Values)
            {
                times.Add(DateTimeOffset.FromUnixTimeMilliseconds(millis));
            }
        }

        return times;
    }

    /// <summary>Two-minute windows of event time with at least one raw event, counted by the warehouse.</summary>
    private static async Task<int> WindowsWithEvents(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<int>(
            """
            SELECT count(DISTINCT floor(extract(epoch FROM ts) / 120)) FROM (
                SELECT ts FROM raw.listen_events UNION ALL SELECT ts FROM raw.page_view_events
                UNION ALL SELECT ts FROM raw.auth_events UNION ALL SELECT ts FROM raw.status_change_events) e
            """);
    }

    /// <summary>A checksum per table of the raw layer and every dbt schema, over its rows in a canonical order.</summary>
    private static async Task<Dictionary<string, string>> Checksums(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var tables = await connection.QueryAsync<(string Schema, string Table)>(
            """
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'rhythmflow')
            ORDER BY 1, 2
            """);
        var sums = new Dictionary<string, string>();
        foreach (var (schema, table) in tables)
        {
            sums[$"{schema}.{table}"] = await connection.ExecuteScalarAsync<string>(
                $"SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), 'empty') FROM \"{schema}\".\"{table}\" t") ?? "empty";
        }

        sums.ShouldNotBeEmpty();
        return sums;
    }

    /// <summary>
    /// One demo run for the class (20,000 users over six daytime hours, enough for every topic to have events in every hour) into its own warehouse database, plus a second,
    /// empty database for the interrupted backfill; both read the demo's lake.
    /// </summary>
    public sealed class DemoRun : IAsyncLifetime
    {
        private readonly string _workDir = Directory.CreateTempSubdirectory("rhythmflow-demo-").FullName;

        public string Uninterrupted { get; private set; } = string.Empty;

        public string Interrupted { get; private set; } = string.Empty;

        public string LakeRoot => Path.Combine(_workDir, "lake");

        public JsonNode Summary { get; private set; } = new JsonObject();

        public int ExitCode { get; private set; }

        public string Stderr { get; private set; } = string.Empty;

        public async Task InitializeAsync()
        {
            Uninterrupted = await TestPostgres.CreateDatabaseAsync(migrated: true);
            Interrupted = await TestPostgres.CreateDatabaseAsync(migrated: true);
            var summaryFile = Path.Combine(_workDir, "summary.json");
            (ExitCode, _, Stderr) = await CliAsync(
                Uninterrupted,
                ["demo", "--users", "20000", "--hours", Hours.ToString(System.Globalization.CultureInfo.InvariantCulture), "--end", End, "--no-serve", "--summary-json", summaryFile]);
            if (File.Exists(summaryFile))
            {
                Summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryFile))!;
            }
        }

        public Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(string warehouse, IEnumerable<string> arguments) =>
            RepositoryCheckout.RunAsync("dotnet", [Repository.CliDll, .. arguments, "--work-dir", _workDir], environment: Environment(warehouse));

        /// <summary>Runs the CLI until a stderr line matches, then kills it with SIGKILL.</summary>
        public async Task CliUntilAsync(string warehouse, IEnumerable<string> arguments, Func<string, bool> killWhen)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Repository.Root };
            foreach (var argument in new[] { Repository.CliDll }.Concat(arguments).Concat(["--work-dir", _workDir]))
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in Environment(warehouse))
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            _ = process.StandardOutput.ReadToEndAsync();
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                if (killWhen(line))
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }
            }

            await process.WaitForExitAsync();
        }

        public async Task<List<string>> StatesAsync(string warehouse)
        {
            await using var connection = new NpgsqlConnection(warehouse);
            return [.. await connection.QueryAsync<string>("SELECT state FROM rhythmflow.interval_runs WHERE dag_id = 'rhythmflow_hourly' ORDER BY interval_start")];
        }

        public async Task DisposeAsync()
        {
            await TestPostgres.DropDatabaseAsync(Uninterrupted);
            await TestPostgres.DropDatabaseAsync(Interrupted);
            Directory.Delete(_workDir, recursive: true);
        }

        private static Dictionary<string, string> Environment(string warehouse) => new()
        {
            ["RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING"] = warehouse,
        };
    }
}
