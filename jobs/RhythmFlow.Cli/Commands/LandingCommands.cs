using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Landing;

namespace RhythmFlow.Cli.Commands;

/// <summary><c>rhythmflow land</c> (Kafka → lake, exactly once) and <c>rhythmflow lake status</c> (the commit log).</summary>
internal static class LandingCommands
{
    public static IEnumerable<Command> Create() => [Land(), LakeCommand()];

    private static Option<string> LakeOption() => new("--lake") { Description = "Lake folder (setting Lake:Root; default <work dir>/lake)." };

    private static string LakeRoot(ParseResult parseResult, Option<string> option, CliContext context) =>
        parseResult.GetValue(option) ?? context.Configuration["Lake:Root"] ?? Path.Combine(context.WorkDir, "lake");

    private static Command Land()
    {
        var lake = LakeOption();
        var once = new Option<bool>("--once")
        {
            Description = "Drain what is available (or stop at --max-interval), commit, exit 0 (1 when offsets were lost to retention before landing). What Airflow runs every two minutes. " +
                "Reads every partition itself from the lake commit log's offsets, without joining the group. Without it the job joins the group and runs until SIGTERM/SIGINT, then commits the open batch.",
        };
        var group = new Option<string>("--group")
        {
            Description = "Consumer group: continuous runs join it, every run commits its landed offsets to it (setting Kafka:GroupId, default rhythmflow-land).",
        };
        var maxInterval = new Option<string>("--max-interval")
        {
            Description = "Close a batch after this long: 2m, 90s, 500ms or 00:02:00 (setting Landing:MaxInterval, default 2m).",
        };
        var maxRecords = new Option<int?>("--max-records") { Description = "Close a batch after this many messages (setting Landing:MaxRecords)." };
        var maxBytes = new Option<long?>("--max-bytes")
        {
            Description = "Close a batch after this many message bytes; bounds memory (setting Landing:MaxBytes, default 64 MiB).",
        };
        var brokerTimeout = new Option<string>("--broker-timeout")
        {
            Description = "Keep retrying an unreachable broker this long at start, then fail (setting Landing:BrokerTimeout, default 60s).",
        };
        var endpoint = new KafkaEndpointOptions();
        var command = new Command(
            "land",
            "Land the four event topics into the lake in micro-batches, exactly once: validate every message (UTF-8, JSON, " +
            "the topic's JSON Schema, event-time window), write Parquet under raw/<topic>/date=/hour=/, quarantine the rest " +
            "with the reason, and publish each batch through the lake commit log (_commits/), which is where landing resumes.")
        {
            lake, once, group, maxInterval, maxRecords, maxBytes, brokerTimeout,
        };
        endpoint.AddTo(command);
        return command.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var options = context.Bind<LandingOptions>(LandingOptions.Section, o =>
            {
                o.MaxInterval = ParseDuration(parseResult.GetValue(maxInterval), "--max-interval") ?? o.MaxInterval;
                o.MaxRecords = parseResult.GetValue(maxRecords) ?? o.MaxRecords;
                o.MaxBytes = parseResult.GetValue(maxBytes) ?? o.MaxBytes;
                o.BrokerTimeout = ParseDuration(parseResult.GetValue(brokerTimeout), "--broker-timeout") ?? o.BrokerTimeout;
            });
            using var kafka = endpoint.Resolve(parseResult, context);
            var consumer = kafka.BindConsumer(context, o => o.GroupId = parseResult.GetValue(group) ?? o.GroupId);
            var storage = new LocalLakeStorage(LakeRoot(parseResult, lake, context), context.Time);
            var job = new LandingJob(options, consumer, storage, context.Time, context.Logger);
            var mode = parseResult.GetValue(once) ? LandingMode.Once : LandingMode.Continuous;
            context.Logger.Information("Landing {Mode} from {BootstrapServers} (group {Group}) into {Lake}", mode, consumer.BootstrapServers, consumer.GroupId, storage.Location);
            var summary = await job.RunAsync(mode, cancellationToken);
            context.Logger.Debug("Runtime: {Gen0}/{Gen1}/{Gen2} GCs (gen0/1/2), {AllocatedMB} MB allocated, {PauseMs} ms paused", GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes() >> 20, (long)GC.GetTotalPauseDuration().TotalMilliseconds);
            await Console.Out.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"landed {summary.Commits.Count} batches: {summary.Records} records, {summary.Written} written, {summary.Quarantined} quarantined; {summary.OrphansDeleted} orphan files removed, {summary.Fenced} batches fenced"));
            if (summary.Gaps.Count == 0)
            {
                return 0;
            }

            // Landed what was there, but the lake is missing events: Airflow must not treat this run as a success.
            foreach (var gap in summary.Gaps)
            {
                await Console.Error.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"error: offsets {gap.From}..{gap.To - 1} of {gap.Topic}[{gap.Partition}] were deleted by the broker (retention) before landing read them; they are not in the lake"));
            }

            return 1;
        });
    }

    private static Command LakeCommand()
    {
        var lake = LakeOption();
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var last = new Option<int>("--last") { Description = "How many recent batches to list (default 10).", DefaultValueFactory = _ => 10 };
        var status = new Command(
            "status",
            "Show the lake commit log: recent batches, files and rows per topic and event hour, quarantine counts per rule, " +
            "and the next offset of every partition.")
        {
            lake, json, last,
        };
        status.WithAction(async (parseResult, context, cancellationToken) =>
        {
            var root = LakeRoot(parseResult, lake, context);
            if (!Directory.Exists(root))
            {
                throw new UsageException($"The lake folder '{root}' does not exist.", "Land events first ('rhythmflow land'), or point --lake (Lake:Root) at the lake.");
            }

            var log = await LakeCommitLog.OpenAsync(new LocalLakeStorage(root, context.Time), cancellationToken);
            var batches = log.Commits.Where(c => c.Kind == LakeCommitKind.Batch).ToList();
            var summary = new
            {
                lake = root,
                commits = log.LastSequence,
                batches = batches.Count,
                recent = batches.TakeLast(Math.Max(0, parseResult.GetValue(last))).Select(c => new
                {
                    c.Sequence, c.BatchId, c.CommittedAt, c.Stats?.Records, c.Stats?.Written, c.Stats?.Quarantined, files = c.Files.Count, c.Stats?.CloseReason,
                }),
                partitions = batches.SelectMany(c => c.Files).Where(f => f.Kind == LakeFileKind.Raw)
                    .GroupBy(f => (f.Topic, f.EventHour))
                    .OrderBy(g => g.Key.Topic, StringComparer.Ordinal).ThenBy(g => g.Key.EventHour)
                    .Select(g => new { topic = g.Key.Topic, eventHour = g.Key.EventHour, files = g.Count(), rows = g.Sum(f => f.Rows), bytes = g.Sum(f => f.Bytes) }),
                quarantine = log.QuarantineTotals(),
                gaps = log.Gaps(),
                offsets = log.NextOffsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition)
                    .Select(o => new { topic = o.Key.Topic, partition = o.Key.Partition, next = o.Value }),
            };
            if (parseResult.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                return 0;
            }

            var output = Console.Out;
            await output.WriteLineAsync($"lake {root}: {summary.commits} commit records, {summary.batches} batches");
            await output.WriteLineAsync("recent batches:");
            foreach (var c in summary.recent)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  #{c.Sequence} {c.BatchId} {c.CommittedAt:u} {c.Records} records, {c.Written} written, {c.Quarantined} quarantined, {c.files} files ({c.CloseReason})"));
            }

            await output.WriteLineAsync("partitions (topic, event hour):");
            foreach (var p in summary.partitions)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {p.topic} {p.eventHour:yyyy-MM-dd HH}:00 {p.files} files, {p.rows} rows, {p.bytes} bytes"));
            }

            await output.WriteLineAsync("quarantine (topic, hour, rule):");
            foreach (var q in summary.quarantine)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {q.Topic} {q.EventHour:yyyy-MM-dd HH}:00 {q.Rule}: {q.Count}"));
            }

            await output.WriteLineAsync("offset gaps (deleted by the broker before landing):");
            foreach (var g in summary.gaps)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {g.Topic}[{g.Partition}] {g.From}..{g.To - 1} ({g.To - g.From} messages lost)"));
            }

            await output.WriteLineAsync("next offsets:");
            foreach (var o in summary.offsets)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {o.topic}[{o.partition}] {o.next}"));
            }

            return 0;
        });
        return new Command("lake", "Inspect the lake.") { status };
    }

    /// <summary>Parses 500ms, 90s, 2m, 1h or a TimeSpan such as 00:02:00.</summary>
    internal static TimeSpan? ParseDuration(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        (string Suffix, Func<double, TimeSpan> Make)[] units = [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours)];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && amount >= 0)
            {
                return make(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)
            ? span
            : throw new UsageException($"{option} '{text}' is not a duration.", "Use a form like 500ms, 90s, 2m, 1h or 00:02:00.");
    }
}
