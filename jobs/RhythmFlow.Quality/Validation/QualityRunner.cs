using RhythmFlow.Contracts;
using RhythmFlow.Quality.Suites;

namespace RhythmFlow.Quality.Validation;

/// <summary>
/// Runs a checkpoint (every validation definition it lists, one batch per hour of the interval for hourly assets)
/// or one suite against one table. Every expectation of every suite is compiled before the first query, so a bad
/// suite file fails the run up front instead of half-way.
/// </summary>
public sealed class QualityRunner(GxProject project, SuiteValidator validator, TimeProvider time)
{
    public async Task<CheckpointRunResult> RunCheckpointAsync(string checkpointName, DataInterval? interval, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var checkpoint = project.Checkpoint(checkpointName);
        var runId = new RunId(RunName(checkpointName, interval), time.GetUtcNow());
        var plan = new List<(ExpectationSuite Suite, BatchSpec Batch)>();
        foreach (var definitionName in checkpoint.ValidationDefinitions)
        {
            var definition = project.ValidationDefinition(definitionName);
            var suite = project.Suite(definition.Suite);
            foreach (var batch in project.Batches(definition, interval))
            {
                SuiteValidator.Compile(suite, Parameters(interval, batch));
                plan.Add((suite, batch));
            }
        }

        return await RunAsync(checkpointName, runId, interval, plan, progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CheckpointRunResult> RunSuiteAsync(string suiteName, BatchSpec batch, DataInterval? interval, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var suite = project.Suite(suiteName);
        SuiteValidator.Compile(suite, Parameters(interval, batch));
        var runId = new RunId(RunName(suiteName, interval), time.GetUtcNow());
        return await RunAsync(suiteName, runId, interval, [(suite, batch)], progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The suite parameters of a batch: <c>now</c>, the data interval (<c>interval_start</c>, <c>interval_end</c>,
    /// <c>interval_hours</c>) and, for an hourly batch, its hour (<c>batch_start</c>, <c>batch_end</c>).
    /// </summary>
    public SuiteParameters Parameters(DataInterval? interval, BatchSpec batch)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal) { ["now"] = time.GetUtcNow() };
        if (interval is { } i)
        {
            values["interval_start"] = i.Start;
            values["interval_end"] = i.End;
            values["interval_hours"] = (i.End - i.Start).TotalHours;
        }

        if (batch.Start is { } start && batch.End is { } end)
        {
            values["batch_start"] = start;
            values["batch_end"] = end;
        }

        return new SuiteParameters(values);
    }

    private async Task<CheckpointRunResult> RunAsync(
        string name,
        RunId runId,
        DataInterval? interval,
        IReadOnlyList<(ExpectationSuite Suite, BatchSpec Batch)> plan,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var results = new List<SuiteRunResult>();
        foreach (var (suite, batch) in plan)
        {
            progress?.Report($"{suite.Name} on {batch.Describe}");
            results.Add(await validator.ValidateAsync(suite, batch, Parameters(interval, batch), runId, name, cancellationToken).ConfigureAwait(false));
        }

        return new CheckpointRunResult(name, runId, results) { Interval = interval };
    }

    private static string RunName(string name, DataInterval? interval) =>
        interval is { } i ? name + "-" + i.Start.ToString("yyyyMMdd'T'HH", System.Globalization.CultureInfo.InvariantCulture) : name;
}
