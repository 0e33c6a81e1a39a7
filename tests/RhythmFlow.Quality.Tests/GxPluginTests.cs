using System.Text.Json.Nodes;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Quality.Expectations;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;
using RhythmFlow.Testing;

namespace RhythmFlow.Quality.Tests;

/// <summary>
/// The GX 1.x plugin behind <c>expect_quarantined_share_to_be_below</c> (great_expectations/gx/plugins), checked without
/// Great Expectations, which this machine cannot install: it byte-compiles, <c>ast</c> shows it registers the type the
/// suites use with the kwargs the validator takes, and its arithmetic (stdlib Python, the part GX calls) gives the
/// validator's verdict and result on a crafted lake commit log.
/// </summary>
public sealed class GxPluginTests : IDisposable
{
    private const string Type = "expect_quarantined_share_to_be_below";
    private const string PluginFile = Type + ".py";
    private const string ArithmeticFile = "rhythmflow_quarantine.py";
    private static readonly DateTimeOffset Hour = new(2026, 3, 29, 14, 0, 0, TimeSpan.Zero);
    private static readonly string Plugins = Path.Combine(RepositoryPaths.GxProject, "gx", "plugins");

    private readonly string lake = Directory.CreateTempSubdirectory("rhythmflow-gx-plugin-").FullName;

    [Fact]
    public async Task Plugins_PyCompile_EveryFileCompiles()
    {
        // Given / When: every file of gx/plugins is byte-compiled and read with ast
        var files = (await InspectAsync())["files"]!.AsObject();

        // Then
        files.Select(f => f.Key).ShouldBe([PluginFile, ArithmeticFile], ignoreOrder: true);
        foreach (var (name, file) in files)
        {
            ((bool)file!["compiled"]!).ShouldBeTrue($"{name}: {file["error"]}");
        }
    }

    [Fact]
    public async Task Plugin_ExpectationClass_RegistersTheTypeTheSuitesUse()
    {
        // Given: the plugin as GX would register it (the snake case of the class name)
        var plugin = (await InspectAsync())["files"]![PluginFile]!;
        var expectation = plugin["expectations"]!.AsArray().ShouldHaveSingleItem()!;

        // When: the suites that use the custom type are listed
        var users = AllSuites().Where(suite => suite.Expectations.Any(e => e.Type == Type)).Select(suite => suite.Name).ToList();

        // Then: one batch expectation of exactly that type, which the validator implements and every raw suite uses
        ((string)expectation["type"]!).ShouldBe(Type);
        expectation["bases"]!.AsArray().Select(b => (string)b!).ShouldBe(["BatchExpectation"]);
        ExpectationCatalog.KnownTypes.ShouldContain(Type);
        users.ShouldBe(Topics.All.Select(t => $"raw_{t}"), ignoreOrder: true);
        plugin["imports"]!.AsArray().Select(i => (string)i!).ShouldContain("rhythmflow_quarantine");
    }

    [Fact]
    public async Task Plugin_Kwargs_MatchTheValidatorAndTheSuites()
    {
        // Given
        var files = (await InspectAsync())["files"]!;
        var expectation = files[PluginFile]!["expectations"]![0]!;
        var metric = files[PluginFile]!["metrics"]!.AsArray().ShouldHaveSingleItem()!;
        var constants = files[ArithmeticFile]!["constants"]!;
        var fields = expectation["fields"]!.AsArray().Select(f => ((string)f!["name"]!, (bool)f["has_default"]!)).ToList();

        // When: every use of the type in the suites is compiled by the validator
        var uses = AllSuites().SelectMany(s => s.Expectations).Where(e => e.Type == Type).ToList();

        // Then: the same two required kwargs (no defaults, no mostly), both deciding success, the metric keyed by topic,
        // the validator's topics, and every suite's kwargs exactly those
        fields.ShouldBe([("topic", false), ("max_value", false)], ignoreOrder: true);
        expectation["keys"]!["success_keys"]!.AsArray().Select(k => (string)k!).ShouldBe(["topic", "max_value"], ignoreOrder: true);
        expectation["keys"]!["metric_dependencies"]!.AsArray().Select(k => (string)k!).ShouldBe([(string)metric["metric_name"]!]);
        metric["value_keys"]!.AsArray().Select(k => (string)k!).ShouldBe(["topic"]);
        ((string)constants["EXPECTATION_TYPE"]!).ShouldBe(Type);
        constants["TOPICS"]!.AsArray().Select(t => (string)t!).ShouldBe(Topics.All);
        uses.ShouldNotBeEmpty();
        foreach (var use in uses)
        {
            use.Kwargs.Select(k => k.Key).ShouldBe(["topic", "max_value"], ignoreOrder: true);
            var verdict = await EvaluateInPythonAsync(use.Kwargs, Hour);
            verdict["config_error"].ShouldBeNull($"{use.Id}: the plugin refuses kwargs the validator takes");
        }
    }

    [Theory]
    [InlineData("""{"topic": "listen_events", "max_value": 0.01}""")]
    [InlineData("""{"topic": "status_change_events", "max_value": 0}""")]
    [InlineData("""{"topic": "auth_events", "max_value": 1}""")]
    [InlineData("""{"topic": "listen_events", "max_value": 1.5}""")]
    [InlineData("""{"topic": "listen_events", "max_value": -0.1}""")]
    [InlineData("""{"topic": "listen_events", "max_value": "0.1"}""")]
    [InlineData("""{"topic": "listen_events"}""")]
    [InlineData("""{"max_value": 0.01}""")]
    [InlineData("""{"topic": "listens", "max_value": 0.01}""")]
    [InlineData("""{"topic": "listen_events", "max_value": 0.01, "mostly": 0.9}""")]
    public async Task PluginKwargChecks_SameKwargs_SameVerdictAsValidator(string kwargs)
    {
        // Given / When: the validator compiles the kwargs, and the plugin's checks read them
        var validatorRefuses = Refuses(() => SuiteValidator.Compile(Suites.One(Type, kwargs), new SuiteParameters(new Dictionary<string, object>())));
        var plugin = await EvaluateInPythonAsync(JsonNode.Parse(kwargs)!.AsObject(), Hour);

        // Then
        (plugin["config_error"] is not null).ShouldBe(validatorRefuses, plugin.ToJsonString());
    }

    [Theory]
    [InlineData(Topics.Listen, 14, 0.01)]      // 4 of 401: 0.00998 passes
    [InlineData(Topics.Listen, 14, 0.005)]     // the same share fails a lower bound
    [InlineData(Topics.Listen, 15, 0.02)]      // 1 of 51, a second batch and another rule
    [InlineData(Topics.Auth, 14, 0.25)]        // exactly 1 of 4: the bound is inclusive
    [InlineData(Topics.Auth, 14, 0.2499)]
    [InlineData(Topics.PageView, 13, 0.01)]    // quarantined only: share 1
    [InlineData(Topics.StatusChange, 14, 0)]   // nothing landed or quarantined: share 0 passes
    [InlineData(Topics.Listen, 0, 0.01)]       // the quarantine file dated hour 0 holds no landed rows
    public async Task PluginArithmetic_CraftedCommitLog_SameOutcomeAsValidator(string topic, int hour, double maxValue)
    {
        // Given: a lake commit log written by RhythmFlow's own LakeCommitLog
        var storage = await CraftLakeAsync();
        var batch = new BatchSpec("warehouse", $"raw_{topic}", "hourly", "raw", topic, null, "ts", At(hour), At(hour + 1));

        // When: the validator's expectation and the plugin's arithmetic evaluate the same hour batch
        var validator = await new QuarantineShareExpectation(topic, maxValue).EvaluateAsync(
            new EvaluationContext(new NpgsqlConnection(), batch, [], 20, new LakeQuarantineCounts(storage)), CancellationToken.None);
        var plugin = await EvaluateInPythonAsync(
            new JsonObject { ["topic"] = topic, ["max_value"] = maxValue }, batch.Start!.Value, lake);

        // Then: the same verdict and the same result fields and values
        ((bool)plugin["success"]!).ShouldBe(validator.Success);
        var result = plugin["result"]!;
        ((double)result["observed_value"]!).ShouldBe((double)validator.Result["observed_value"]!);
        JsonNode.DeepEquals(result["details"], validator.Result["details"]).ShouldBeTrue($"plugin {result["details"]!.ToJsonString()}, validator {validator.Result["details"]!.ToJsonString()}");
        result.AsObject().Select(p => p.Key).ShouldBe(validator.Result.Select(p => p.Key), ignoreOrder: true);
    }

    [Fact]
    public async Task PluginArithmetic_NoLakeFolder_FailsWithTheReason()
    {
        // Given: a lake root that does not exist
        var missing = Path.Combine(lake, "nowhere");

        // When
        var plugin = await EvaluateInPythonAsync(new JsonObject { ["topic"] = Topics.Listen, ["max_value"] = 0.01 }, Hour, missing);

        // Then: as the validator, a failure that says why rather than a pass on zero counts
        ((bool)plugin["success"]!).ShouldBeFalse();
        ((string)plugin["exception_info"]!["exception_message"]!).ShouldContain($"no lake folder at '{missing}'");
    }

    public void Dispose() => Directory.Delete(lake, recursive: true);

    private static List<ExpectationSuite> AllSuites()
    {
        var project = GxProject.Open(RepositoryPaths.GxProject);
        return [.. Directory.GetFiles(Path.Combine(RepositoryPaths.GxProject, "gx", "expectations"), "*.json").Select(f => project.Suite(Path.GetFileNameWithoutExtension(f)))];
    }

    private static DateTimeOffset At(int hour) => Hour.AddHours(hour - Hour.Hour);

    private static bool Refuses(Action compile)
    {
        try
        {
            compile();
            return false;
        }
        catch (ExpectationConfigException)
        {
            return true;
        }
    }

    /// <summary>
    /// Two batches and a recovery. Hour 14: listens 297 + 100 landed, 3 + 1 quarantined; auth 3 landed, 1 quarantined;
    /// hour 15: listens 50 landed, 1 quarantined; hour 13: page views 2 quarantined, none landed. The quarantine file
    /// (kind Quarantine, dated its day, so hour 0) must not count as landed rows; nor must a recovery's deletions.
    /// </summary>
    private async Task<LocalLakeStorage> CraftLakeAsync()
    {
        var storage = new LocalLakeStorage(lake, TimeProvider.System);
        var log = await LakeCommitLog.OpenAsync(storage);
        CommittedFile Raw(string topic, int hour, long rows) =>
            new($"raw/{topic}/date=2026-03-29/hour={hour:D2}/part-{Guid.NewGuid():N}.parquet", LakeFileKind.Raw, topic, At(hour), rows, 1000);
        QuarantineCount Quarantined(string topic, int hour, string rule, long count) => new(topic, At(hour), rule, count);
        LakeCommit Batch(string id, CommittedFile[] files, QuarantineCount[] quarantine) =>
            new(0, id, LakeCommitKind.Batch, Hour, "test/1", "rhythmflow-land", [], files, quarantine, [], null);

        await log.AppendAsync(Batch(
            "b1",
            [Raw(Topics.Listen, 14, 297), Raw(Topics.Listen, 15, 50), Raw(Topics.Auth, 14, 3),
             new CommittedFile("quarantine/listen_events/date=2026-03-29/part-b1.ndjson", LakeFileKind.Quarantine, Topics.Listen, At(0), 3, 900)],
            [Quarantined(Topics.Listen, 14, "json", 3), Quarantined(Topics.Listen, 15, "schema.type", 1), Quarantined(Topics.Auth, 14, "utf8", 1),
             Quarantined(Topics.PageView, 13, "ts-window", 2)]));
        await log.AppendAsync(new LakeCommit(0, "r1", LakeCommitKind.Recovery, Hour, "test/2", "rhythmflow-land", [], [], [], ["raw/listen_events/date=2026-03-29/hour=14/part-orphan.parquet"], null));
        await log.AppendAsync(Batch("b2", [Raw(Topics.Listen, 14, 100)], [Quarantined(Topics.Listen, 14, "empty", 1)]));
        return storage;
    }

    private static async Task<JsonNode> InspectAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "RhythmFlow.Quality.Tests", "gx_plugin_inspect.py");
        return JsonNode.Parse(await PythonAsync([script, Plugins]))!;
    }

    /// <summary>The plugin's whole evaluation (kwargs, the batch's GX identifiers, the lake) through its command-line entry.</summary>
    private static async Task<JsonNode> EvaluateInPythonAsync(JsonObject kwargs, DateTimeOffset hour, string? lakeRoot = null)
    {
        var request = new JsonObject
        {
            ["kwargs"] = kwargs.DeepClone(),
            ["batch_identifiers"] = new JsonObject
            {
                ["ts"] = new JsonObject { ["year"] = hour.Year, ["month"] = hour.Month, ["day"] = hour.Day, ["hour"] = hour.Hour },
            },
            ["environment"] = new JsonObject { ["RHYTHMFLOW_LAKE__ROOT"] = lakeRoot ?? Path.Combine(Path.GetTempPath(), "rhythmflow-no-lake-" + Guid.NewGuid().ToString("N")) },
        };
        return JsonNode.Parse(await PythonAsync(["-B", Path.Combine(Plugins, ArithmeticFile), request.ToJsonString()]))!;
    }

    private static async Task<string> PythonAsync(IEnumerable<string> arguments)
    {
        var (exitCode, stdout, stderr) = await RepositoryCheckout.RunAsync("python3", arguments, timeout: TimeSpan.FromSeconds(60));
        exitCode.ShouldBe(0, stderr);
        return stdout;
    }
}
