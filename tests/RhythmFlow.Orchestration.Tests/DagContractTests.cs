using System.Text.Json.Nodes;
using RhythmFlow.Cli;
using RhythmFlow.Testing;

namespace RhythmFlow.Orchestration.Tests;

/// <summary>
/// The Airflow DAGs against the one chain definition (<see cref="Pipelines"/>) and the CLI's own command schema,
/// read with Python's <c>ast</c> so no Airflow installation is needed.
/// </summary>
public sealed class DagContractTests : IClassFixture<DagContractTests.Inspection>
{
    private static readonly string[] IntervalTemplates = ["data_interval_end", "data_interval_start"];

    private readonly Inspection _inspection;

    public DagContractTests(Inspection inspection) => _inspection = inspection;

    public static TheoryData<string> DagIds => [.. Pipelines.All.Select(d => d.DagId)];

    [Fact]
    public void DagFiles_PyCompile_AllCompile()
    {
        _inspection.Files.Count.ShouldBeGreaterThanOrEqualTo(Pipelines.All.Count);
        foreach (var file in _inspection.Files)
        {
            file["compileError"].ShouldBeNull($"{file["file"]} does not byte-compile");
        }
    }

    [Fact]
    public void DagFiles_EveryDagCall_IsADefinedPipeline()
    {
        var declared = _inspection.Files.SelectMany(f => f["dags"]!.AsArray()).Select(d => (string)d!["dag_id"]!).ToList();
        declared.ShouldBe(Pipelines.All.Select(d => d.DagId), ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(DagIds))]
    public void Dag_Schedule_MatchesDefinition(string dagId)
    {
        var expected = Pipelines.Get(dagId);
        var schedule = _inspection.Dag(dagId)["schedule"]!;

        if (expected.HasDataIntervals)
        {
            // A bare cron string would give Airflow 3's zero-length interval: both bounds equal.
            ((string)schedule["call"]!).ShouldBe("CronDataIntervalTimetable");
            ((string)schedule["args"]![0]!).ShouldBe(expected.Cron);
            ((string)schedule["kwargs"]!["timezone"]!).ShouldBe("UTC");
        }
        else
        {
            ((string)schedule!).ShouldBe(expected.Cron);
        }
    }

    [Theory]
    [MemberData(nameof(DagIds))]
    public void Dag_RunSettings_MatchDefinition(string dagId)
    {
        var expected = Pipelines.Get(dagId);
        var dag = _inspection.Dag(dagId);

        ((bool)dag["catchup"]!).ShouldBe(expected.Catchup);
        ((int)dag["max_active_runs"]!).ShouldBe(expected.MaxActiveRuns);
        ((string)dag["start_date"]!["kwargs"]!["tz"]!).ShouldBe("UTC");
        ((string?)dag["doc_md"]).ShouldNotBeNullOrWhiteSpace();
        dag["tags"]!.AsArray().Select(t => (string)t!).ShouldContain("rhythmflow");
    }

    [Theory]
    [MemberData(nameof(DagIds))]
    public void Dag_DefaultArgs_RetryWithBackoffAndTimeOut(string dagId)
    {
        var args = _inspection.Dag(dagId)["default_args"]!;

        ((int)args["retries"]!).ShouldBeGreaterThan(0);
        ((bool)args["retry_exponential_backoff"]!).ShouldBeTrue();
        ((int)args["retry_delay"]!["seconds"]!).ShouldBeGreaterThan(0);
        ((int)args["max_retry_delay"]!["seconds"]!).ShouldBeGreaterThan((int)args["retry_delay"]!["seconds"]!);
        ((int)args["execution_timeout"]!["seconds"]!).ShouldBeInRange(60, 3 * 3600);
    }

    [Theory]
    [MemberData(nameof(DagIds))]
    public void Dag_Tasks_AreTheDefinedChain(string dagId)
    {
        var expected = Pipelines.Get(dagId);
        var file = _inspection.FileOf(dagId);

        var tasks = file["tasks"]!.AsArray()
            .Select(t => ((string)t!["taskId"]!, string.Join(' ', t["arguments"]!.AsArray().Select(a => (string)a!))))
            .ToList();
        tasks.ShouldBe(expected.Tasks.Select(t => (t.TaskId, string.Join(' ', t.Arguments))));

        var edges = file["edges"]!.AsArray().Select(e => $"{e![0]} >> {e[1]}").Order().ToList();
        edges.ShouldBe(expected.Tasks.SelectMany(t => t.Upstream.Select(u => $"{u} >> {t.TaskId}")).Order());
    }

    [Theory]
    [MemberData(nameof(DagIds))]
    public void Dag_Templates_AreOnlyTheDataInterval(string dagId)
    {
        var expected = Pipelines.Get(dagId);
        var templates = _inspection.FileOf(dagId)["templates"]!.AsArray().Select(t => (string)t!).ToList();

        templates.ShouldBe(expected.HasDataIntervals ? IntervalTemplates : []);
    }

    [Fact]
    public void DagFiles_Imports_UseTheAirflow3Sdk()
    {
        foreach (var file in _inspection.Files)
        {
            var imports = file["imports"]!.AsArray().Select(i => (string)i!).ToList();
            imports.ShouldNotContain(i => i.StartsWith("airflow.models", StringComparison.Ordinal) || i == "airflow.DAG"
                || i.StartsWith("airflow.operators", StringComparison.Ordinal) || i.StartsWith("airflow.contrib", StringComparison.Ordinal));
            file["removedNames"]!.AsArray().ShouldBeEmpty($"{file["file"]} uses names removed in Airflow 3");
            if (file["dags"]!.AsArray().Count > 0)
            {
                imports.ShouldContain("airflow.sdk.DAG");
            }
        }
    }

    [Fact]
    public async Task DagTasks_CommandLines_UseVerbsAndOptionsTheCliHas()
    {
        // Given: the CLI's own schema of verbs and options
        var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync("dotnet", [Repository.CliDll, "commands", "--json"]);
        exitCode.ShouldBe(0, stderr);
        var verbs = JsonNode.Parse(stdout)!["verbs"]!.AsArray().ToDictionary(
            v => (string)v!["verb"]!,
            v => v!["options"]!.AsArray().ToList());

        var problems = new List<string>();
        foreach (var task in _inspection.Files.SelectMany(f => f["tasks"]!.AsArray()))
        {
            var arguments = task!["arguments"]!.AsArray().Select(a => (string)a!).ToList();
            var taskId = (string)task["taskId"]!;

            // When: each command line is read as the CLI would read it
            var verb = Enumerable.Range(1, arguments.TakeWhile(a => !a.StartsWith('-')).Count())
                .Select(n => string.Join(' ', arguments.Take(n)))
                .LastOrDefault(verbs.ContainsKey);
            if (verb is null)
            {
                problems.Add($"{taskId}: no verb '{string.Join(' ', arguments.TakeWhile(a => !a.StartsWith('-')))}' in rhythmflow commands --json");
                continue;
            }

            var options = verbs[verb];
            var known = options.SelectMany(o => o!["aliases"]!.AsArray().Select(a => (string)a!).Append((string)o!["name"]!)).ToHashSet();
            problems.AddRange(arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal) && !known.Contains(a))
                .Select(a => $"{taskId}: '{verb}' has no option {a}"));
            problems.AddRange(options.Where(o => (bool)o!["required"]! && !arguments.Contains((string)o["name"]!))
                .Select(o => $"{taskId}: '{verb}' requires {o!["name"]}"));

            var rendered = PipelineDag.Render(
                new ChainTask(taskId, arguments, []),
                new Contracts.DataInterval(new DateTimeOffset(2026, 3, 29, 14, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 29, 15, 0, 0, TimeSpan.Zero)));
            problems.AddRange(RhythmFlowCli.BuildRootCommand().Parse([.. rendered]).Errors.Select(e => $"{taskId}: {e.Message}"));
        }

        // Then
        problems.ShouldBeEmpty();
    }

    /// <summary>Runs <c>dag_inspect.py</c> over <c>dags/</c> once for the whole class.</summary>
    public sealed class Inspection : IAsyncLifetime
    {
        public List<JsonNode> Files { get; private set; } = [];

        public JsonNode FileOf(string dagId) =>
            Files.SingleOrDefault(f => f["dags"]!.AsArray().Any(d => (string)d!["dag_id"]! == dagId))
            ?? throw new ShouldAssertException($"no file in dags/ defines {dagId}");

        public JsonNode Dag(string dagId) =>
            FileOf(dagId)["dags"]!.AsArray().Single(d => (string)d!["dag_id"]! == dagId)!;

        public async Task InitializeAsync()
        {
            var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync("python3", [Repository.TestFile("dag_inspect.py"), Repository.Path("dags")]);
            exitCode.ShouldBe(0, stderr);
            Files = [.. JsonNode.Parse(stdout)!["files"]!.AsArray().Select(f => f!)];
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}
