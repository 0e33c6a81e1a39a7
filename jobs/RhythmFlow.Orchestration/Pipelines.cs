namespace RhythmFlow.Orchestration;

/// <summary>
/// The platform's DAGs, defined once. <c>dags/*.py</c> spell out the same tasks for Airflow and the contract test
/// fails when they drift; the CLI's runner executes these definitions directly.
/// </summary>
public static class Pipelines
{
    private static readonly string[] Interval =
        ["--interval-start", PipelineDag.IntervalStartTemplate, "--interval-end", PipelineDag.IntervalEndTemplate];

    // The model build recomputes only what the hours transformed for this interval touched (docs/dbt.md).
    private static readonly string IntervalVars =
        $"{{data_interval_start: '{PipelineDag.IntervalStartTemplate}', data_interval_end: '{PipelineDag.IntervalEndTemplate}'}}";

    /// <summary>Every two minutes: drain what Kafka holds into the lake, one batch, then exit.</summary>
    public static PipelineDag Landing { get; } = new(
        "rhythmflow_landing",
        "*/2 * * * *",
        HasDataIntervals: false,
        Catchup: false,
        MaxActiveRuns: 1,
        [new ChainTask("land", ["land", "--once"], [])]);

    /// <summary>
    /// Every hour, for the hour that just ended: load it into the warehouse, gate the raw batch, build the models,
    /// gate the marts. The raw checkpoint runs before the build so an error-level failure stops bad rows reaching marts.
    /// </summary>
    public static PipelineDag Hourly { get; } = new(
        "rhythmflow_hourly",
        "0 * * * *",
        HasDataIntervals: true,
        Catchup: true,
        MaxActiveRuns: 1,
        [
            new ChainTask("transform", ["transform", .. Interval], []),
            new ChainTask("validate_raw", ["validate", "--checkpoint", "raw_hourly", .. Interval], ["transform"]),
            new ChainTask("model_build", ["model", "build", "--vars", IntervalVars], ["validate_raw"]),
            new ChainTask("validate_marts", ["validate", "--checkpoint", "marts_hourly", .. Interval], ["model_build"]),
        ]);

    /// <summary>Demo and load-test environments only: an interval of simulated listening, produced into Kafka.</summary>
    public static PipelineDag Simulate { get; } = new(
        "rhythmflow_simulate",
        "0 * * * *",
        HasDataIntervals: true,
        Catchup: false,
        MaxActiveRuns: 1,
        [
            new ChainTask(
                "simulate",
                ["simulate", "--start", PipelineDag.IntervalStartTemplate, "--end", PipelineDag.IntervalEndTemplate, "--users", "2000", "--sink", "kafka"],
                []),
        ]);

    public static IReadOnlyList<PipelineDag> All { get; } = [Landing, Hourly, Simulate];

    public static PipelineDag Get(string dagId) =>
        All.FirstOrDefault(d => d.DagId == dagId)
        ?? throw new ArgumentException($"Unknown DAG '{dagId}'; known: {string.Join(", ", All.Select(d => d.DagId))}.", nameof(dagId));
}
