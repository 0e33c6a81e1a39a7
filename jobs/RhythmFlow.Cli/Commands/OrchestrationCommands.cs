using System.CommandLine;
using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Orchestration;
using Spectre.Console;

namespace RhythmFlow.Cli.Commands;

/// <summary>
/// Runs a <c>rhythmflow</c> command line through this CLI's own verb tree, in process, carrying over the caller's
/// global options (and <c>--warehouse</c> to the verbs that take it), so a task runs exactly as Airflow runs it.
/// </summary>
internal sealed class InProcessVerbInvoker(ParseResult caller, TextWriter? taskOutput = null) : IVerbInvoker
{
    private static readonly string[] Forwarded = ["--work-dir", "--log-format", "--log-level", WarehouseOption];
    private const string WarehouseOption = "--warehouse";

    public async Task<int> InvokeAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var root = RhythmFlowCli.BuildRootCommand();
        var target = root.Parse([.. arguments]).CommandResult.Command;
        var accepted = target.Options.Select(o => o.Name).Concat(root.Options.Where(o => o.Recursive).Select(o => o.Name)).ToHashSet();

        var full = new List<string>(arguments);
        foreach (var name in Forwarded.Where(accepted.Contains))
        {
            if (caller.GetValue<string>(name) is { Length: > 0 } value)
            {
                full.AddRange([name, value]);
            }
        }

        var parseResult = root.Parse(full);
        if (target is RootCommand)
        {
            throw new RhythmFlowException(
                $"The chain's task 'rhythmflow {string.Join(' ', arguments)}' needs the verb '{arguments[0]}', which this build of rhythmflow does not have.",
                "Build the component that provides it (see `rhythmflow commands`), or run a chain whose verbs all exist.");
        }

        if (parseResult.Errors.Count > 0)
        {
            throw new RhythmFlowException(
                $"The chain's command line 'rhythmflow {string.Join(' ', arguments)}' does not parse: {parseResult.Errors[0].Message}",
                "The task chain and the verbs disagree; run `rhythmflow commands --json` and compare (the DAG contract test does).");
        }

        // The caller already handles Ctrl+C; the nested invocation only follows its token.
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        if (taskOutput is null)
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }

        // Tasks run one at a time, so the process-wide stdout can be lent to them; errors still reach stderr.
        var stdout = Console.Out;
        Console.SetOut(taskOutput);
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        finally
        {
            await taskOutput.FlushAsync(cancellationToken);
            Console.SetOut(stdout);
        }
    }
}

/// <summary><c>rhythmflow run &lt;dag&gt;</c>, <c>rhythmflow backfill</c>: the Airflow DAGs' chains, run by the CLI.</summary>
internal static class OrchestrationCommands
{
    public static IEnumerable<Command> Create() => [CreateRun(), CreateBackfill(), CreateDemo()];

    private static Command CreateRun()
    {
        var run = new Command("run", "Run one DAG's task chain in process, exactly as Airflow runs it (same verbs, same options).");
        foreach (var dag in Pipelines.All)
        {
            run.Subcommands.Add(CreateRunDag(dag));
        }

        return run;
    }

    private static Command CreateRunDag(PipelineDag dag)
    {
        var name = dag.DagId.Replace("rhythmflow_", string.Empty, StringComparison.Ordinal);
        var chain = string.Join(" → ", dag.RunOrder().Select(t => t.TaskId));
        var command = new Command(name, $"Run {dag.DagId} ({chain}) once{(dag.HasDataIntervals ? " for a data interval" : string.Empty)}.")
            .WithWarehouseOption();
        Option<string>? start = null;
        Option<string>? end = null;
        if (dag.HasDataIntervals)
        {
            start = new Option<string>("--interval-start") { Description = "Start of the data interval, ISO-8601 UTC (inclusive), e.g. 2026-03-29T14:00:00Z.", Required = true };
            end = new Option<string>("--interval-end") { Description = "End of the data interval, ISO-8601 UTC (exclusive).", Required = true };
            command.Options.Add(start);
            command.Options.Add(end);
        }

        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var interval = start is null || end is null
                ? CurrentInterval(context.Time)
                : ParseInterval(parseResult.GetValue(start)!, parseResult.GetValue(end)!);
            var runner = new ChainRunner(new InProcessVerbInvoker(parseResult), context.Logger);
            var result = await runner.RunAsync(dag, interval, cancellationToken);
            await Console.Out.WriteLineAsync(
                $"{dag.DagId} {interval}: succeeded in {result.Duration.TotalSeconds:0.0} s ({Timings(result)})");
            return 0;
        });
    }

    private static Command CreateBackfill()
    {
        var from = new Option<string>("--from") { Description = "First hour to run, ISO-8601 UTC on the hour (inclusive).", Required = true };
        var to = new Option<string>("--to") { Description = "End of the range, ISO-8601 UTC on the hour (exclusive).", Required = true };
        var reprocess = new Option<string>("--reprocess")
        {
            Description = "Intervals with a recorded run: none (default) runs only new or interrupted ones, failed also re-runs failed ones, "
                + "completed re-runs every one. As Airflow's --reprocess-behavior.",
            DefaultValueFactory = _ => "none",
        };
        reprocess.AcceptOnlyFromAmong("none", "failed", "completed");
        var command = new Command(
            "backfill",
            "Run the hourly chain (transform → validate raw → model build → validate marts) for every hour in a range, oldest first. "
            + "Each interval's state is kept in the warehouse (rhythmflow.interval_runs), so a stopped backfill resumes where it stopped.")
        {
            from, to, reprocess,
        }.WithWarehouseOption();

        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var intervals = Backfill.HourlyIntervals(
                ParseInstant(parseResult.GetValue(from)!, "--from"), ParseInstant(parseResult.GetValue(to)!, "--to"));
            var behavior = Enum.Parse<ReprocessBehavior>(parseResult.GetValue(reprocess)!, ignoreCase: true);
            await using var dataSource = await WarehouseCli.OpenAsync(parseResult, context, cancellationToken);
            var backfill = new Backfill(
                new ChainRunner(new InProcessVerbInvoker(parseResult), context.Logger),
                new IntervalRunStore(dataSource, context.Time),
                context.Logger);

            var result = await backfill.RunAsync(Pipelines.Hourly, intervals, behavior, new Progress(context.IsInteractive), cancellationToken);

            await Console.Out.WriteLineAsync(
                $"backfill {Pipelines.Hourly.DagId} {PipelineDag.Iso(intervals[0].Start)} .. {PipelineDag.Iso(intervals[^1].End)}: "
                + $"{result.Count(IntervalOutcome.Succeeded)} succeeded, {result.Count(IntervalOutcome.Failed)} failed, "
                + $"{result.Count(IntervalOutcome.Skipped)} skipped");
            if (result.Count(IntervalOutcome.Failed) > 0)
            {
                await Console.Error.WriteLineAsync("hint: fix the failures above, then re-run with --reprocess failed");
                return 1;
            }

            return 0;
        });
    }

    private static Command CreateDemo()
    {
        var users = new Option<int?>("--users") { Description = "Users at the start of the simulated period (setting Demo:Users, default 2000)." };
        var hours = new Option<int?>("--hours") { Description = "Hours to simulate, ending at the last full hour (setting Demo:Hours, default 24)." };
        var seed = new Option<long?>("--seed") { Description = "Simulator seed (setting Demo:Seed, default 42)." };
        var end = new Option<string>("--end") { Description = "End of the simulated period, ISO-8601 UTC on the hour (default: the last full hour)." };
        var noServe = new Option<bool>("--no-serve") { Description = "Do not serve the dashboard at the end; just print the summary and exit." };
        var port = new Option<int?>("--port") { Description = "Port of the dashboard served at the end, on 127.0.0.1 (default: the dashboard's, setting Dashboard:Port)." };
        var summaryJson = new Option<string>("--summary-json") { Description = "Also write the summary (counts and time per stage) to this JSON file." };
        var command = new Command(
            "demo",
            "The whole pipeline on this machine, no cloud and no setup: starts the dev broker and the embedded warehouse, simulates a "
            + "recent period into Kafka, lands it, runs the hourly chain for every hour, prints a summary and serves the dashboard.")
        {
            users, hours, seed, end, noServe, port, summaryJson,
        }.WithWarehouseOption();

        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var options = context.Bind<DemoOptions>(DemoOptions.Section, o =>
            {
                o.Users = parseResult.GetValue(users) ?? o.Users;
                o.Hours = parseResult.GetValue(hours) ?? o.Hours;
                o.Seed = parseResult.GetValue(seed) ?? o.Seed;
                o.End = parseResult.GetValue(end) is { } value ? ParseInstant(value, "--end") : o.End;
            });
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var progress = new Progress<string>(message =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:mm\\:ss}] {message}")));
            var paths = new DemoPaths(
                context.Configuration["Lake:Root"] ?? Path.Combine(context.WorkDir, "lake"),
                context.Configuration["Quality:OutputDir"] ?? Path.Combine(context.WorkDir, "quality"));
            var warehouseOptions = WarehouseCli.Options(parseResult, context);
            Func<CancellationToken, Task>? destroyEmbeddedWarehouse = string.IsNullOrWhiteSpace(warehouseOptions.ConnectionString)
                ? new RhythmFlow.Warehouse.EmbeddedPostgres(warehouseOptions, context.WorkDir, context.Logger).DestroyAsync
                : null;
            await DemoWorkspace.ClaimAsync(context.WorkDir, paths, destroyEmbeddedWarehouse, progress, cancellationToken);

            ((IProgress<string>)progress).Report("starting the warehouse");
            var warehouseClock = System.Diagnostics.Stopwatch.StartNew();
            await using var warehouse = await RhythmFlow.Warehouse.WarehouseDataSource.OpenAsync(warehouseOptions, context.WorkDir, context.Logger, cancellationToken);
            var warehouseTime = warehouseClock.Elapsed;

            // The tasks' own reports (per-hour tables, dbt's node lines) go to a file; the terminal shows progress and the summary.
            var taskLog = Path.Combine(context.WorkDir, "demo-tasks.log");
            await using var taskOutput = new StreamWriter(taskLog, append: false);
            ((IProgress<string>)progress).Report($"task output: {taskLog}");
            var demo = new Demo(new InProcessVerbInvoker(parseResult, taskOutput), context.Logger, context.Time);
            var summary = await demo.RunAsync(options, paths, warehouse, progress, new Progress(context.IsInteractive), cancellationToken);
            summary = summary with { Stages = [new StageResult("warehouse", warehouseTime, WarehouseDataSourceName(warehouse)), .. summary.Stages] };

            PrintSummary(summary, clock.Elapsed, context.IsInteractive);
            if (parseResult.GetValue(summaryJson) is { Length: > 0 } path)
            {
                await File.WriteAllTextAsync(path, System.Text.Json.JsonSerializer.Serialize(summary, SummarySerializerOptions), cancellationToken);
            }

            var failed = summary.HoursFailed > 0 || summary.Checks.Any(c => c.Failed > 0);
            if (failed)
            {
                await Console.Error.WriteLineAsync(
                    "hint: some hours or checks failed (above); the quality reports are in the work directory's quality/data_docs, "
                    + "and `rhythmflow backfill --reprocess failed` re-runs the failed hours");
                return 1;
            }

            if (parseResult.GetValue(noServe))
            {
                return 0;
            }

            string[] dashboard = ["dashboard", .. parseResult.GetValue(port) is { } value ? ["--port", value.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()];

            // Serves until Ctrl+C, which cancels this token too.
            return await new InProcessVerbInvoker(parseResult).InvokeAsync(dashboard, cancellationToken);
        });
    }

    private static readonly System.Text.Json.JsonSerializerOptions SummarySerializerOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
    };

    private static string WarehouseDataSourceName(Npgsql.NpgsqlDataSource dataSource) =>
        RhythmFlow.Warehouse.WarehouseDataSource.Describe(dataSource.ConnectionString);

    private static void PrintSummary(DemoSummary summary, TimeSpan total, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.WriteLine();
        console.MarkupLine(Markup.Escape($"RhythmFlow demo: {PipelineDag.Iso(summary.Start)} .. {PipelineDag.Iso(summary.End)} in {total.TotalSeconds:0.0} s"));

        var events = new Table().AddColumns("topic", "produced");
        foreach (var (topic, count) in summary.EventsProduced.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            events.AddRow(topic, count.ToString("N0", CultureInfo.InvariantCulture));
        }

        events.AddRow("landed / quarantined", $"{summary.EventsLanded:N0} / {summary.EventsQuarantined:N0}");
        events.AddRow("lake files (raw / quarantine)", $"{summary.LakeFiles} / {summary.QuarantineFiles}");
        events.AddRow("hours (succeeded / failed)", $"{summary.HoursSucceeded} / {summary.HoursFailed}");
        console.Write(events);

        var checks = new Table().AddColumns("suite", "passed", "failed");
        foreach (var check in summary.Checks)
        {
            checks.AddRow(check.Suite, check.Passed.ToString(CultureInfo.InvariantCulture), check.Failed.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(checks);

        var rows = new Table().AddColumns("warehouse table", "rows");
        foreach (var (table, count) in summary.WarehouseRows)
        {
            rows.AddRow(table, count.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(rows);

        var stages = new Table().AddColumns("stage", "seconds", "detail");
        foreach (var stage in summary.Stages)
        {
            stages.AddRow(stage.Stage, stage.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture), Markup.Escape(stage.Detail));
        }

        console.Write(stages);
    }

    internal static DataInterval ParseInterval(string start, string end)
    {
        try
        {
            return DataInterval.Parse(start, end);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new UsageException(ex.Message, "Give both bounds in ISO-8601 UTC, e.g. --interval-start 2026-03-29T14:00:00Z --interval-end 2026-03-29T15:00:00Z.");
        }
    }

    private static DateTimeOffset ParseInstant(string value, string option)
    {
        try
        {
            return DataInterval.ParseUtc(value, option);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message, "Use ISO-8601 UTC on the hour, e.g. 2026-03-29T00:00:00Z.");
        }
    }

    /// <summary>DAGs without a data interval (landing) are addressed by the current hour, for the logs only.</summary>
    private static DataInterval CurrentInterval(TimeProvider time)
    {
        var hour = DataInterval.TruncateToHour(time.GetUtcNow());
        return new DataInterval(hour, hour.AddHours(1));
    }

    private static string Timings(ChainRun run) =>
        string.Join(", ", run.Tasks.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.TaskId} {t.Duration.TotalSeconds:0.0} s")));

    /// <summary>
    /// One line per interval with a bar over the range. Lines rather than a live display, because the chain's own
    /// verbs show their live progress in between and a terminal takes one live display at a time.
    /// </summary>
    private sealed class Progress(bool interactive) : IProgress<BackfillStep>
    {
        private const int Width = 24;

        public void Report(BackfillStep value)
        {
            var filled = value.Index * Width / value.Count;
            var bar = new string('█', filled) + new string('░', Width - filled);
            var detail = value.Outcome switch
            {
                IntervalOutcome.Succeeded => string.Create(CultureInfo.InvariantCulture, $"succeeded in {value.Run!.Duration.TotalSeconds:0.0} s ({Timings(value.Run)})"),
                IntervalOutcome.Failed => $"FAILED: {value.Error}",
                _ => "skipped (already run)",
            };
            var line = $"{bar} {value.Index}/{value.Count} {PipelineDag.Iso(value.Interval.Start)} {detail}";
            if (interactive)
            {
                var colour = value.Outcome switch { IntervalOutcome.Failed => "red", IntervalOutcome.Skipped => "grey", _ => "green" };
                AnsiConsole.Console.MarkupLine($"[{colour}]{Markup.Escape(line)}[/]");
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
