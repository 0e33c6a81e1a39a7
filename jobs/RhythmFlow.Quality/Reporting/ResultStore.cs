using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Contracts;
using RhythmFlow.Quality.Validation;

namespace RhythmFlow.Quality.Reporting;

/// <summary>Where a run's outputs went.</summary>
public sealed record StoredRun(string CheckpointResultPath, IReadOnlyList<string> ValidationResultPaths, string ReportPath, string IndexPath);

/// <summary>
/// Writes a run as GX does: one validation-result JSON per suite and batch under
/// <c>validations/&lt;suite&gt;/&lt;run_name&gt;/&lt;run_time&gt;/&lt;batch_id&gt;.json</c>, a checkpoint result under
/// <c>checkpoints/</c>, and the HTML report (<c>data_docs/</c>) with an index of every run.
/// </summary>
public sealed class ResultStore(string root)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Root { get; } = Path.GetFullPath(root);

    public StoredRun Write(CheckpointRunResult run)
    {
        var paths = new List<string>();
        var runResults = new JsonObject();
        foreach (var suite in run.SuiteResults)
        {
            var relative = Path.Combine("validations", Safe(suite.SuiteName), Safe(run.RunId.RunName), Safe(run.RunId.RunTimeText), Safe(suite.Batch.BatchId) + ".json");
            WriteJson(Path.Combine(Root, relative), suite.Json);
            paths.Add(Path.Combine(Root, relative));
            runResults[$"ValidationResultIdentifier::{suite.SuiteName}/{run.RunId.RunName}/{run.RunId.RunTimeText}/{suite.Batch.BatchId}"] = new JsonObject
            {
                ["validation_result"] = relative.Replace('\\', '/'),
                ["success"] = suite.Success,
            };
        }

        var checkpointPath = Path.Combine(Root, "checkpoints", Safe(run.Name), run.RunId.Key + ".json");
        WriteJson(checkpointPath, new JsonObject
        {
            ["run_id"] = run.RunId.ToJson(),
            ["run_results"] = runResults,
            ["checkpoint_config"] = new JsonObject { ["name"] = run.Name },
            ["success"] = run.SuiteResults.All(s => s.Success),
            ["meta"] = new JsonObject
            {
                ["data_interval"] = run.Interval?.ToString(),
                ["passed"] = run.Passed,
                ["failed_error_expectations"] = run.FailedErrors,
                ["failed_warning_expectations"] = run.FailedWarnings,
            },
        });

        var (report, index) = new HtmlReport(Path.Combine(Root, "data_docs")).Write(run);
        return new StoredRun(checkpointPath, paths, report, index);
    }

    private static void WriteJson(string path, JsonNode json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json.ToJsonString(Indented));
    }

    /// <summary>Names from suites, run names and batch ids become path segments only after the lake's segment check.</summary>
    internal static string Safe(string segment) => LakeLayout.RequireSafeSegment(segment.Replace(':', '-'));
}
