using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;

namespace RhythmFlow.Quality.Reporting;

/// <summary>
/// The run report in the spirit of GX Data Docs: one self-contained page per run (verdict, suites, the failing
/// expectations with sample unexpected values, then every expectation), linked to the previous and next run of the
/// same checkpoint, and an index of all runs.
/// </summary>
public sealed class HtmlReport(string root)
{
    private const string NextPlaceholder = "<!--next-run-->";
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record RunEntry(string Key, string Name, string RunName, string RunTime, string? Interval, bool Passed, int Errors, int Warnings);

    public (string Report, string Index) Write(CheckpointRunResult run)
    {
        Directory.CreateDirectory(Path.Combine(root, "runs"));
        var historyPath = Path.Combine(root, "runs.json");
        var history = File.Exists(historyPath)
            ? JsonSerializer.Deserialize<List<RunEntry>>(File.ReadAllText(historyPath)) ?? []
            : [];
        var previous = history.Where(r => r.Name == run.Name).OrderBy(r => r.Key, StringComparer.Ordinal).LastOrDefault();
        var entry = new RunEntry(run.RunId.Key, run.Name, run.RunId.RunName, run.RunId.RunTimeText, run.Interval?.ToString(), run.Passed, run.FailedErrors, run.FailedWarnings);

        var page = Path.Combine(root, "runs", ResultStore.Safe(entry.Key) + ".html");
        File.WriteAllText(page, RenderRun(run, previous));
        if (previous is not null && Path.Combine(root, "runs", ResultStore.Safe(previous.Key) + ".html") is var previousPage && File.Exists(previousPage))
        {
            File.WriteAllText(previousPage, File.ReadAllText(previousPage).Replace(NextPlaceholder, $"<a href=\"{Enc(entry.Key)}.html\">next run →</a>", StringComparison.Ordinal));
        }

        history.Add(entry);
        File.WriteAllText(historyPath, JsonSerializer.Serialize(history));
        var index = Path.Combine(root, "index.html");
        File.WriteAllText(index, RenderIndex(history));
        return (page, index);
    }

    private static string RenderIndex(List<RunEntry> history)
    {
        var html = new StringBuilder(Head("RhythmFlow data quality: runs"));
        html.Append("<h1>Data quality runs</h1><table><tr><th>run time (UTC)</th><th>checkpoint / suite</th><th>data interval</th><th>verdict</th><th>failed errors</th><th>failed warnings</th></tr>");
        foreach (var run in history.OrderByDescending(r => r.Key, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"runs/{Enc(run.Key)}.html\">{Enc(run.RunTime)}</a></td><td>{Enc(run.Name)}</td><td>{Enc(run.Interval ?? "—")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Verdict(run.Passed, run.Warnings)}</td><td>{run.Errors}</td><td>{run.Warnings}</td></tr>");
        }

        return html.Append("</table></body></html>").ToString();
    }

    private static string RenderRun(CheckpointRunResult run, RunEntry? previous)
    {
        var html = new StringBuilder(Head($"{run.Name} {run.RunId.RunTimeText}"));
        html.Append("<nav><a href=\"../index.html\">all runs</a> · ")
            .Append(previous is null ? "first run" : $"<a href=\"{Enc(previous.Key)}.html\">← previous run</a>")
            .Append(" · ").Append(NextPlaceholder).Append("</nav>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Enc(run.Name)}</h1><p>Run <code>{Enc(run.RunId.RunName)}</code> at {Enc(run.RunId.RunTimeText)}")
            .Append(run.Interval is { } i ? $", data interval {Enc(i.ToString())}" : string.Empty).Append("</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"verdict\">{Verdict(run.Passed, run.FailedWarnings)} — {run.FailedErrors} error-level and {run.FailedWarnings} warning-level expectations failed.</p>");

        html.Append("<h2>Suites</h2><table><tr><th>suite</th><th>batch</th><th>evaluated</th><th>passed</th><th>failed (error)</th><th>failed (warning)</th><th>result JSON</th></tr>");
        foreach (var suite in run.SuiteResults)
        {
            var json = $"../../validations/{ResultStore.Safe(suite.SuiteName)}/{ResultStore.Safe(run.RunId.RunName)}/{ResultStore.Safe(run.RunId.RunTimeText)}/{ResultStore.Safe(suite.Batch.BatchId)}.json";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(suite.Success ? "ok" : "bad")}\"><td><a href=\"#{Enc(Anchor(suite))}\">{Enc(suite.SuiteName)}</a></td><td>{Enc(suite.Batch.Describe)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{suite.Results.Count}</td><td>{suite.Results.Count(r => r.Success)}</td><td>{suite.Failed(Severity.Error).Count()}</td><td>{suite.Failed(Severity.Warning).Count()}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><a href=\"{Enc(json)}\">json</a></td></tr>");
        }

        html.Append("</table>");
        var failures = run.SuiteResults.SelectMany(s => s.Results.Where(r => !r.Success).Select(r => (Suite: s, Result: r))).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<h2>Failing expectations ({failures.Count})</h2>");
        foreach (var (suite, result) in failures.OrderBy(f => f.Result.Severity))
        {
            html.Append("<div class=\"failure ").Append(result.Severity == Severity.Error ? "error" : "warning").Append("\">");
            html.Append(CultureInfo.InvariantCulture, $"<h3><span class=\"badge\">{result.Severity.ToString().ToLowerInvariant()}</span> {Enc(Title(result))}</h3>");
            html.Append(CultureInfo.InvariantCulture, $"<p>{Enc(suite.SuiteName)} on {Enc(suite.Batch.Describe)} · expectation <code>{Enc(result.Config.Id)}</code></p>");
            AppendDetails(html, result);
            html.Append("</div>");
        }

        foreach (var suite in run.SuiteResults)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"{Enc(Anchor(suite))}\">{Enc(suite.SuiteName)} <small>{Enc(suite.Batch.Describe)}</small></h2><table><tr><th></th><th>expectation</th><th>severity</th><th>observed</th></tr>");
            foreach (var result in suite.Results)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(result.Success ? "ok" : "bad")}\"><td>{(result.Success ? "✔" : "✘")}</td><td>{Enc(Title(result))}</td><td>{result.Severity.ToString().ToLowerInvariant()}</td><td>{Enc(Observed(result))}</td></tr>");
            }

            html.Append("</table>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static void AppendDetails(StringBuilder html, ExpectationRunResult result)
    {
        var kwargs = result.Json["expectation_config"]?["kwargs"]?.ToJsonString(Compact) ?? "{}";
        html.Append(CultureInfo.InvariantCulture, $"<p>kwargs <code>{Enc(kwargs)}</code></p>");
        if (result.ExceptionMessage is { } problem)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"exception\">Could not evaluate: {Enc(problem)}</p>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>{Enc(Observed(result))}</p>");
        var r = result.Json["result"];
        if (r?["partial_unexpected_counts"] is JsonArray { Count: > 0 } counts)
        {
            html.Append("<table><tr><th>sample unexpected value</th><th>count</th></tr>");
            foreach (var c in counts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{Enc(c?["value"]?.ToJsonString(Compact) ?? "null")}</code></td><td>{Enc(c?["count"]?.ToJsonString() ?? string.Empty)}</td></tr>");
            }

            html.Append("</table>");
        }
        else if (r?["details"]?["unexpected_rows"] is JsonArray { Count: > 0 } rows)
        {
            html.Append("<p>sample unexpected rows</p><ul>");
            foreach (var row in rows)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{Enc(row?.ToJsonString(Compact) ?? "null")}</code></li>");
            }

            html.Append("</ul>");
        }
    }

    /// <summary>A one-line human reading of the expectation: its type and its main kwargs.</summary>
    public static string Title(ExpectationRunResult result)
    {
        var kwargs = result.Json["expectation_config"]?["kwargs"] as JsonObject ?? [];
        var subject = kwargs["column"]?.ToString()
            ?? (kwargs["column_A"] is { } a ? $"{a} vs {kwargs["column_B"]}" : null)
            ?? kwargs["column_list"]?.ToJsonString(Compact)
            ?? kwargs["topic"]?.ToString();
        return subject is null ? result.Config.Type : $"{result.Config.Type} ({subject})";
    }

    public static string Observed(ExpectationRunResult result)
    {
        var r = result.Json["result"];
        if (result.ExceptionMessage is { } problem)
        {
            return "error: " + problem;
        }

        if (r?["element_count"] is { } elements)
        {
            var percent = r["unexpected_percent"]?.GetValue<double>() is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) + "%" : "n/a";
            return $"{r["unexpected_count"]} unexpected of {elements} rows ({percent})";
        }

        return r?["observed_value"] is { } observed ? "observed " + observed.ToJsonString(Compact)
            : r is JsonObject o && o.ContainsKey("observed_value") ? "no observed value (no rows)"
            : result.Success ? "passed" : "failed";
    }

    private static string Anchor(SuiteRunResult suite) => suite.SuiteName + "-" + suite.Batch.BatchId;

    private static string Verdict(bool passed, int warnings) =>
        !passed ? "<span class=\"badge error\">FAILED</span>"
        : warnings > 0 ? "<span class=\"badge warning\">PASSED WITH WARNINGS</span>"
        : "<span class=\"badge ok\">PASSED</span>";

    private static string Enc(string value) => WebUtility.HtmlEncode(value);

    private static string Head(string title) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Enc(title) + "</title><style>"
        + "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:1200px}table{border-collapse:collapse;margin:.5rem 0 1.5rem}"
        + "td,th{border:1px solid #d9e2ec;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f0f4f8}"
        + "tr.bad td{background:#fff5f5}.badge{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;color:#fff;background:#c53030;font-size:.85em}"
        + ".badge.ok{background:#2f855a}.badge.warning,.warning .badge{background:#b7791f}.failure{border-left:4px solid #c53030;padding:.2rem 1rem;margin:1rem 0;background:#fffafa}"
        + ".failure.warning{border-color:#b7791f;background:#fffdf5}code{background:#f0f4f8;padding:0 .2rem;word-break:break-all}.verdict{font-size:1.2em}nav{margin-bottom:1rem}"
        + "</style></head><body>";
}
