using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using RhythmFlow.Contracts;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Quality.Reporting;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;
using Spectre.Console;

namespace RhythmFlow.Cli.Commands;

/// <summary>Settings of section <c>Quality</c>.</summary>
internal sealed class QualityOptions
{
    /// <summary>The GX project folder (holding gx/great_expectations.yml).</summary>
    [Required]
    public string ProjectDir { get; set; } = "great_expectations";

    /// <summary>Where results and the HTML report go; default <c>&lt;work dir&gt;/quality</c>.</summary>
    public string? OutputDir { get; set; }

    /// <summary>GX's partial_unexpected_count: how many sample unexpected values a result lists.</summary>
    [Range(1, 200)]
    public int PartialUnexpectedCount { get; set; } = 20;
}

/// <summary><c>rhythmflow validate</c>: runs Great Expectations suites against the warehouse.</summary>
internal static class ValidateCommands
{
    public static IEnumerable<Command> Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint to run (gx/checkpoints/NAME.json), e.g. raw_hourly or marts_hourly." };
        var suite = new Option<string>("--suite") { Description = "Run one suite (gx/expectations/NAME.json) instead of a checkpoint; needs --table." };
        var table = new Option<string>("--table") { Description = "SCHEMA.TABLE the --suite runs against, as one whole-table batch." };
        var start = new Option<string>("--interval-start") { Description = "Start of the data interval, ISO-8601 UTC (inclusive); hourly assets validate each hour of it." };
        var end = new Option<string>("--interval-end") { Description = "End of the data interval, ISO-8601 UTC (exclusive)." };
        var project = new Option<string>("--project-dir") { Description = "GX project folder (setting Quality:ProjectDir; default great_expectations)." };
        var output = new Option<string>("--output") { Description = "Folder for result JSON and the HTML report (setting Quality:OutputDir; default <work dir>/quality)." };
        var lake = new Option<string>("--lake") { Description = "Lake folder whose commit log gives quarantine counts (setting Lake:Root; default <work dir>/lake)." };
        var command = new Command(
            "validate",
            "Run Great Expectations suites against the warehouse: exit 1 when an error-level expectation fails, 0 (with a warning summary) when only warnings fail.")
        {
            checkpoint, suite, table, start, end, project, output, lake,
        };
        command.WithWarehouseOption().WithAction(async (parseResult, context, cancellationToken) =>
        {
            var options = context.Bind<QualityOptions>("Quality", o =>
            {
                o.ProjectDir = parseResult.GetValue(project) ?? o.ProjectDir;
                o.OutputDir = parseResult.GetValue(output) ?? o.OutputDir;
            });
            var interval = ParseInterval(parseResult.GetValue(start), parseResult.GetValue(end));
            var (checkpointName, suiteName, tableName) = (parseResult.GetValue(checkpoint), parseResult.GetValue(suite), parseResult.GetValue(table));
            if ((checkpointName is null) == (suiteName is null) || (suiteName is null) != (tableName is null))
            {
                throw new UsageException("validate needs either --checkpoint NAME, or --suite NAME with --table SCHEMA.TABLE.", "Example: rhythmflow validate --checkpoint raw_hourly --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z");
            }

            var gx = GxProject.Open(options.ProjectDir);
            var lakeRoot = parseResult.GetValue(lake) ?? context.Configuration["Lake:Root"] ?? Path.Combine(context.WorkDir, "lake");
            var quarantine = Directory.Exists(lakeRoot) ? new LakeQuarantineCounts(new LocalLakeStorage(lakeRoot, context.Time)) : null;
            await using var dataSource = await WarehouseCli.OpenAsync(parseResult, context, cancellationToken);
            var runner = new QualityRunner(gx, new SuiteValidator(dataSource, context.Time, quarantine, options.PartialUnexpectedCount), context.Time);

            var progress = new Progress<string>(step => context.Logger.Information("Validating {Step}", step));
            CheckpointRunResult run;
            try
            {
                run = checkpointName is not null
                    ? await runner.RunCheckpointAsync(checkpointName, interval, progress, cancellationToken)
                    : await runner.RunSuiteAsync(suiteName!, ParseTable(tableName!), interval, progress, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }

            var stored = new ResultStore(options.OutputDir ?? Path.Combine(context.WorkDir, "quality")).Write(run);
            Summarise(run, stored, context);
            return run.Passed ? 0 : 1;
        });
        return [command];
    }

    private static DataInterval? ParseInterval(string? start, string? end)
    {
        if (start is null && end is null)
        {
            return null;
        }

        try
        {
            return start is not null && end is not null
                ? DataInterval.Parse(start, end)
                : throw new UsageException("--interval-start and --interval-end go together.", "Give both, as ISO-8601 UTC timestamps.");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new UsageException(ex.Message, "Give --interval-start and --interval-end as UTC timestamps, start before end.");
        }
    }

    private static BatchSpec ParseTable(string table)
    {
        try
        {
            return BatchSpec.ForTable(table);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--table: {ex.Message}");
        }
    }

    private static void Summarise(CheckpointRunResult run, StoredRun stored, CliContext context)
    {
        var evaluated = run.SuiteResults.Sum(s => s.Results.Count);
        context.Logger.Information(
            "Validation {Name} {Verdict}: {Evaluated} expectations in {Suites} suite runs, {Errors} error-level and {Warnings} warning-level failed; report {Report}",
            run.Name, run.Passed ? "passed" : "FAILED", evaluated, run.SuiteResults.Count, run.FailedErrors, run.FailedWarnings, stored.ReportPath);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var failures = run.SuiteResults.SelectMany(s => s.Results.Where(r => !r.Success).Select(r => (s, r))).ToList();
        foreach (var (suiteResult, result) in failures)
        {
            var line = $"{result.Severity.ToString().ToLowerInvariant()}: {suiteResult.SuiteName} [{suiteResult.Batch.BatchId}] {HtmlReport.Title(result)}: {HtmlReport.Observed(result)}";
            if (context.IsInteractive)
            {
                console.MarkupLine((result.Severity == Severity.Error ? "[red]" : "[yellow]") + Markup.Escape(line) + "[/]");
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }

        Console.Out.WriteLine(run.Passed
            ? run.FailedWarnings > 0 ? $"PASSED WITH WARNINGS ({run.FailedWarnings} warning-level expectations failed); report: {stored.ReportPath}" : $"PASSED; report: {stored.ReportPath}"
            : $"FAILED ({run.FailedErrors} error-level expectations failed); report: {stored.ReportPath}");
    }
}
