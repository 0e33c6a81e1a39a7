using System.CommandLine;
using System.Globalization;
using RhythmFlow.Contracts;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Transform;
using Spectre.Console;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow transform --interval-start T1 --interval-end T2</c>: the hourly lake → warehouse load.</summary>
internal static class TransformCommands
{
    public static IEnumerable<Command> Create()
    {
        var start = new Option<string>("--interval-start") { Description = "Start of the data interval, ISO-8601 UTC (inclusive), e.g. 2026-03-29T14:00:00Z.", Required = true };
        var end = new Option<string>("--interval-end") { Description = "End of the data interval, ISO-8601 UTC (exclusive).", Required = true };
        var lakeOption = new Option<string>("--lake") { Description = "Lake folder (setting Lake:Root; default <work dir>/lake)." };
        var command = new Command(
            "transform",
            "Replace every event hour of the interval in the warehouse's raw tables with the committed lake files, deduplicated, "
            + "one transaction per hour; then rebuild earlier hours that received late batches. Safe to re-run.")
        {
            start,
            end,
            lakeOption,
        };
        command.WithWarehouseOption().WithAction(async (parseResult, context, cancellationToken) =>
        {
            DataInterval interval;
            try
            {
                interval = DataInterval.Parse(parseResult.GetValue(start)!, parseResult.GetValue(end)!);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new UsageException(ex.Message, "Give --interval-start and --interval-end as UTC timestamps, start before end.");
            }

            var lakeRoot = parseResult.GetValue(lakeOption) ?? context.Configuration["Lake:Root"] ?? Path.Combine(context.WorkDir, "lake");
            if (!Directory.Exists(lakeRoot))
            {
                throw new UsageException($"The lake folder '{lakeRoot}' does not exist.", "Land events first ('rhythmflow land'), or point --lake (Lake:Root) at the lake.");
            }

            var options = context.Bind<TransformOptions>(TransformOptions.Section);
            // The warehouse opens (server check, migrations) on another thread while the transform reads the lake's
            // commit log and decodes the first rows: both are start-up time of one core, so they overlap.
            var opening = Task.Run(() => WarehouseCli.OpenAsync(parseResult, context, cancellationToken), cancellationToken);
            try
            {
                var transform = new HourlyTransform(new LocalLakeStorage(lakeRoot, context.Time), opening, options, context.Logger, context.Time);
                var report = context.IsInteractive
                    ? await RunWithProgressAsync(transform, interval, cancellationToken)
                    : await transform.RunAsync(interval, null, cancellationToken);
                PrintSummary(report);
                return 0;
            }
            finally
            {
                // When the lake failed first, the warehouse's own failure (if any) is not the one to report.
                await Task.WhenAny(opening);
                if (opening.IsCompletedSuccessfully)
                {
                    await (await opening).DisposeAsync();
                }

                _ = opening.Exception;
            }
        });
        return [command];
    }

    private static async Task<TransformReport> RunWithProgressAsync(HourlyTransform transform, DataInterval interval, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        TransformReport? report = null;
        await console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask("transform");
            var reporter = new Progress<TransformProgress>(p =>
            {
                task.MaxValue = p.HourCount;
                task.Value = p.HourIndex;
                task.Description = string.Create(
                    CultureInfo.InvariantCulture, $"{p.Hour:yyyy-MM-dd HH}:00{(p.Late ? " (late)" : string.Empty)} {p.RowsRead:N0} rows");
            });
            report = await transform.RunAsync(interval, reporter, cancellationToken);
            task.Value = task.MaxValue;
        });
        return report!;
    }

    private static void PrintSummary(TransformReport report)
    {
        Console.Out.WriteLine("hour               late  rows_read  duplicates  rows_loaded  seconds");
        foreach (var hour in report.Hours)
        {
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{hour.Hour:yyyy-MM-ddTHH:00Z}  {(hour.Late ? "yes" : "no "),-4}  {hour.RowsRead,9}  {hour.Duplicates,10}  {hour.RowsLoaded,11}  {hour.Seconds,7:F2}"));
        }

        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{report.Hours.Count} hour(s) built, {report.LateHoursRebuilt} late hour(s) rebuilt, {report.Hours.Sum(h => h.RowsLoaded)} rows loaded"));
    }
}
