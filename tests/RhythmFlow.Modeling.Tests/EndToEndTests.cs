using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Modeling.Tests;

/// <summary>
/// Issue 6's end-to-end tests: one simulated day through the real verbs of the built CLI, in child processes
/// (simulate → Kafka dev broker → land → Parquet lake → transform → raw.* → model build → marts), then
/// DuckDB (npm) over the lake Parquet files must give exactly the marts' figures.
/// </summary>
public sealed partial class EndToEndTests(EndToEndTests.SimulatedDay day) : IClassFixture<EndToEndTests.SimulatedDay>
{
    [Fact]
    public async Task ModelBuild_SimulatedDayThroughThePipeline_SucceedsAndEveryDbtTestPasses()
    {
        // Given: a simulated day landed in the lake and transformed into raw.*, every topic with data
        day.Produced.Keys.ShouldBe(Topics.All, ignoreOrder: true);
        day.Produced.Values.ShouldAllBe(count => count > 0);
        day.Landed.ShouldBe(day.Produced.Values.Sum(), "every simulated event lands exactly once");
        day.Quarantined.ShouldBe(0);
        foreach (var topic in Topics.All)
        {
            Directory.EnumerateFiles(Path.Combine(day.WorkDir, "lake", "raw", topic), "*.parquet", SearchOption.AllDirectories)
                .ShouldNotBeEmpty($"the lake has {topic} Parquet files");
            (await day.ScalarAsync($"select count(*) from raw.{topic}")).ShouldBe(day.Produced[topic], $"raw.{topic} holds every {topic} event");
        }

        // When: `model build` ran over that day (in the fixture)
        var (exitCode, stdout, stderr) = day.Build;

        // Then: it succeeded, and run_results.json has every model, seed and test of the manifest, all passing
        exitCode.ShouldBe(0, $"{stdout}\n{stderr}");
        stdout.ShouldContain("ERROR=0 SKIP=0");
        var target = Path.Combine(day.ProjectDir, "target");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(target, "manifest.json")))!;
        var expected = manifest["nodes"]!.AsObject()
            .Where(n => (string)n.Value!["resource_type"]! is "model" or "seed" or "test" && (string?)n.Value!["config"]?["materialized"] != "ephemeral")
            .ToDictionary(n => n.Key, n => (string)n.Value!["resource_type"]! == "test" ? "pass" : "success");
        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(target, "run_results.json")))!["results"]!.AsArray()
            .ToDictionary(r => (string)r!["unique_id"]!, r => (string)r!["status"]!);
        expected.Count(n => n.Value == "pass").ShouldBeGreaterThan(0, "the project has dbt tests");
        expected.Keys.ShouldContain("model.rhythmflow.fct_streams");
        results.ShouldBe(expected, ignoreOrder: true);
        (await day.ScalarAsync("select count(*) from marts.fct_streams")).ShouldBe(day.Produced[Topics.Listen]);
    }

    [Fact]
    public async Task LakeMetrics_DuckDbOverTheParquetLake_EqualTheMarts()
    {
        // Given: the marts built from the simulated day
        day.Build.ExitCode.ShouldBe(0, day.Build.Stdout);

        // When: DuckDB computes streams per day and song, active users per hour and sessions per day straight from
        // the lake, and the marts publish the same figures
        var (exitCode, output, error) = await RepositoryCheckout.RunAsync(
            "node", [Path.Combine(Repository.Root, "tests", "verifiers", "sql", "lake-metrics-duckdb.mjs"), Path.Combine(day.WorkDir, "lake")]);
        exitCode.ShouldBe(0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldAllBe(line => Regex.IsMatch(line, @"^(streams|active_users|sessions)\|.+\|\d+$"), "every DuckDB line is metric|key|count");
        var lake = Figures(lines);
        var marts = Figures(await day.LinesAsync(
            """
            select 'streams|' || to_char(d.date_day, 'YYYY-MM-DD') || '|' || s.artist_name || '|' || s.song_title || '|' || count(*)
            from marts.fct_streams f join marts.dim_songs s using (song_key) join marts.dim_dates d using (date_key)
            group by d.date_day, s.artist_name, s.song_title
            union all
            select 'active_users|' || to_char(event_hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24') || '|' || active_users
            from marts.agg_hourly_activity where active_users > 0
            union all
            select 'sessions|' || to_char(d.date_day, 'YYYY-MM-DD') || '|' || count(*)
            from marts.fct_sessions f join marts.dim_dates d using (date_key) group by d.date_day
            """));

        // Then: every day/song pair, every hour of the day and the day's sessions are equal, figure by figure
        lake.Where(f => f.Key.StartsWith("streams|", StringComparison.Ordinal)).Sum(f => f.Value).ShouldBe(day.Produced[Topics.Listen]);
        lake.Keys.Where(k => k.StartsWith("active_users|", StringComparison.Ordinal)).ShouldBe(
            Enumerable.Range(0, 24).Select(h => $"active_users|{SimulatedDay.Day:yyyy-MM-dd}T{h:00}"), ignoreOrder: true);
        lake.Keys.Where(k => k.StartsWith("sessions|", StringComparison.Ordinal)).ShouldNotBeEmpty();
        var differences = lake.Keys.Union(marts.Keys)
            .Where(k => lake.GetValueOrDefault(k, -1) != marts.GetValueOrDefault(k, -1))
            .Select(k => $"{k}: DuckDB {(lake.TryGetValue(k, out var l) ? l : "missing")}, marts {(marts.TryGetValue(k, out var m) ? m : "missing")}")
            .ToList();
        differences.ShouldBeEmpty($"{differences.Count} of {lake.Count} lake figures differ from the marts:\n{string.Join('\n', differences.Take(20))}");
        marts.Count.ShouldBe(lake.Count);
    }

    /// <summary>"metric|key...|count" lines as key → count (a key seen twice throws).</summary>
    private static Dictionary<string, long> Figures(IEnumerable<string> lines) => lines.ToDictionary(
        line => line[..line.LastIndexOf('|')],
        line => long.Parse(line[(line.LastIndexOf('|') + 1)..], CultureInfo.InvariantCulture),
        StringComparer.Ordinal);

    /// <summary>
    /// One simulated day (4,000 users, 2024-03-04 UTC) through the built CLI into a fresh migrated database of the
    /// test run's private PostgreSQL, with a copy of the dbt project so the repository's dbt/target is left alone.
    /// </summary>
    public sealed partial class SimulatedDay : IAsyncLifetime
    {
        public static readonly DateTimeOffset Day = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

        private const int Users = 4000;
        private Process? _broker;
        private string _warehouse = string.Empty;

        public string WorkDir { get; } = Directory.CreateTempSubdirectory("rhythmflow-e2e-").FullName;

        public string ProjectDir => Path.Combine(WorkDir, "dbt");

        public Dictionary<string, long> Produced { get; } = [];

        public long Landed { get; private set; }

        public long Quarantined { get; private set; }

        public (int ExitCode, string Stdout, string Stderr) Build { get; private set; }

        public async Task InitializeAsync()
        {
            _warehouse = await TestPostgres.CreateDatabaseAsync(migrated: true);
            CopyProject();
            var servers = await StartBrokerAsync();

            var simulate = await CliAsync("simulate", "--users", Users.ToString(CultureInfo.InvariantCulture), "--start", Iso(Day), "--end", Iso(Day.AddDays(1)),
                "--sink", "kafka", "--bootstrap-servers", servers);
            foreach (Match match in ProducedLine().Matches(simulate))
            {
                Produced[match.Groups[1].Value] = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            }

            // A --once pass may stop before every partition is drained: pass again while events are missing.
            for (var pass = 0; pass < 5 && (pass == 0 || Landed < Produced.Values.Sum()); pass++)
            {
                var landed = LandedLine().Match(await CliAsync("land", "--once", "--bootstrap-servers", servers));
                landed.Success.ShouldBeTrue("land reports what it landed");
                Landed += long.Parse(landed.Groups[1].Value, CultureInfo.InvariantCulture);
                Quarantined += long.Parse(landed.Groups[2].Value, CultureInfo.InvariantCulture);
            }

            await CliAsync("transform", "--interval-start", Iso(Day), "--interval-end", Iso(Day.AddDays(1)));
            Build = await RepositoryCheckout.RunAsync("dotnet", Cli("model", "build", "--project-dir", ProjectDir), environment: Environment());
        }

        public async Task DisposeAsync()
        {
            if (_broker is not null)
            {
                _broker.Kill(entireProcessTree: true);
                await _broker.WaitForExitAsync();
                _broker.Dispose();
            }

            // The CLI was given the test database; should it ever have started the work dir's embedded server, stop it.
            await RepositoryCheckout.RunAsync("dotnet", Cli("warehouse", "stop"));
            if (_warehouse.Length > 0)
            {
                await TestPostgres.DropDatabaseAsync(_warehouse);
            }

            Directory.Delete(WorkDir, recursive: true);
        }

        public async Task<long> ScalarAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(_warehouse);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        public async Task<List<string>> LinesAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(_warehouse);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return lines;
        }

        private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>Runs a verb that must succeed; returns its stdout.</summary>
        private async Task<string> CliAsync(params string[] arguments)
        {
            var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync("dotnet", Cli(arguments), environment: Environment());
            exitCode.ShouldBe(0, $"rhythmflow {string.Join(' ', arguments)}:\n{stdout}\n{stderr}");
            return stdout;
        }

        private string[] Cli(params string[] arguments) =>
            [Path.Combine(AppContext.BaseDirectory, "rhythmflow.dll"), "--work-dir", WorkDir, "--log-level", "warning", .. arguments];

        private Dictionary<string, string> Environment() => new() { ["RHYTHMFLOW_WAREHOUSE__CONNECTIONSTRING"] = _warehouse };

        private async Task<string> StartBrokerAsync()
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
            foreach (var argument in Cli("dev-broker"))
            {
                start.ArgumentList.Add(argument);
            }

            _broker = Process.Start(start) ?? throw new InvalidOperationException("could not start the dev broker");
            _ = _broker.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await _broker.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("bootstrap.servers=", StringComparison.Ordinal))
                {
                    _ = _broker.StandardOutput.ReadToEndAsync();
                    return line["bootstrap.servers=".Length..];
                }
            }

            throw new InvalidOperationException($"the dev broker exited before it printed bootstrap.servers (exit code {_broker.ExitCode})");
        }

        private void CopyProject()
        {
            foreach (var file in Directory.EnumerateFiles(Repository.DbtProject, "*", SearchOption.AllDirectories)
                         .Where(f => !f.Contains("/target/", StringComparison.Ordinal)))
            {
                var destination = Path.Combine(ProjectDir, Path.GetRelativePath(Repository.DbtProject, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }

        [GeneratedRegex(@"^(listen_events|page_view_events|auth_events|status_change_events)\s+(\d+)\s*$", RegexOptions.Multiline)]
        private static partial Regex ProducedLine();

        [GeneratedRegex(@"^landed \d+ batches: \d+ records, (\d+) written, (\d+) quarantined", RegexOptions.Multiline)]
        private static partial Regex LandedLine();
    }
}
