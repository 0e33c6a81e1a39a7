using System.Text.Json.Nodes;
using RhythmFlow.Quality.Suites;

namespace RhythmFlow.Quality.Validation;

/// <summary>GX's run identifier: a run name and the instant the run started.</summary>
public sealed record RunId(string RunName, DateTimeOffset RunTime)
{
    public string RunTimeText => RunTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A file-name-safe key that sorts by run time.</summary>
    public string Key => RunTime.ToUniversalTime().ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + RunName;

    public JsonObject ToJson() => new() { ["run_name"] = RunName, ["run_time"] = RunTimeText };
}

/// <summary>One expectation's outcome: GX's <c>ExpectationValidationResult</c> plus the severity the report and exit code need.</summary>
public sealed record ExpectationRunResult(ExpectationConfig Config, bool Success, JsonObject Json)
{
    public Severity Severity => Config.Severity;

    public string? ExceptionMessage => Json["exception_info"]?["exception_message"]?.GetValue<string>();
}

/// <summary>One suite run on one batch: GX's <c>ExpectationSuiteValidationResult</c>.</summary>
public sealed record SuiteRunResult(string SuiteName, BatchSpec Batch, IReadOnlyList<ExpectationRunResult> Results, JsonObject Json)
{
    public bool Success => Results.All(r => r.Success);

    public IEnumerable<ExpectationRunResult> Failed(Severity severity) => Results.Where(r => !r.Success && r.Severity == severity);
}

/// <summary>A checkpoint (or ad-hoc suite) run: every suite result, and the overall verdict by severity.</summary>
public sealed record CheckpointRunResult(string Name, RunId RunId, IReadOnlyList<SuiteRunResult> SuiteResults)
{
    public RhythmFlow.Contracts.DataInterval? Interval { get; init; }

    /// <summary>True when no error-severity expectation failed; warnings do not fail a run.</summary>
    public bool Passed => !SuiteResults.SelectMany(s => s.Failed(Severity.Error)).Any();

    public int FailedErrors => SuiteResults.Sum(s => s.Failed(Severity.Error).Count());

    public int FailedWarnings => SuiteResults.Sum(s => s.Failed(Severity.Warning).Count());
}
