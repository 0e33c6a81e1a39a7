using System.Diagnostics;
using Dapper;
using Npgsql;
using RhythmFlow.Contracts;
using RhythmFlow.Lake;
using RhythmFlow.Lake.Storage;
using RhythmFlow.Parquet;
using RhythmFlow.Warehouse;
using Serilog;

namespace RhythmFlow.Transform;

/// <summary>
/// <c>rhythmflow transform</c>: for every event hour of an interval, then for every earlier hour whose partitions
/// received batches since it was last built, replaces that hour in the <c>raw</c> tables with the committed lake
/// files, deduplicated by event identity, in one transaction per hour. Re-running changes nothing unless the lake did.
/// </summary>
/// <param name="lake">The lake.</param>
/// <param name="opening">
/// The warehouse, still being opened: the run reads the lake's commit log and starts decoding the first hour's files
/// meanwhile, on the other core (start-up was a third of a second of one busy core and one idle).
/// </param>
/// <param name="options">The Transform settings.</param>
/// <param name="logger">The log.</param>
/// <param name="time">The clock for the build records.</param>
public sealed class HourlyTransform(ILakeStorage lake, Task<NpgsqlDataSource> opening, TransformOptions options, ILogger logger, TimeProvider time)
{
    // The hour's lock, and the settings of every transaction that loads it: work_mem for PostgreSQL's deduplication;
    // backend_flush_after so the kernel writes the new tables back while COPY runs, leaving little for the commit's fsync.
    private const string HourLock = "hashtextextended('rhythmflow.transform.hour:' || @hour::text, 0)";
    private const string LoadSettingsSql = "SELECT set_config('work_mem', @workMem, true), set_config('backend_flush_after', '2MB', true)";

    private readonly RawRowCopier[] _copiers = [.. Topics.All.Select(t => new RawRowCopier(t))];
    private NpgsqlDataSource? _warehouse;

    public HourlyTransform(ILakeStorage lake, NpgsqlDataSource warehouse, TransformOptions options, ILogger logger, TimeProvider time)
        : this(lake, Task.FromResult(warehouse), options, logger, time)
    {
    }

    private NpgsqlDataSource Warehouse => _warehouse ?? throw new InvalidOperationException("The warehouse is used before it was opened.");

    public async Task<TransformReport> RunAsync(
        DataInterval interval, IProgress<TransformProgress>? progress, CancellationToken cancellationToken)
    {
        var log = await LakeCommitLog.OpenAsync(lake, cancellationToken);
        var hours = new LakeHours(log);
        var requested = interval.Hours().ToList();
        var first = OpenHour(hours, requested[0], cancellationToken);
        List<DateTimeOffset> late;
        try
        {
            _warehouse = await opening;
            late = await FindLateHoursAsync(hours, requested[0], cancellationToken);
        }
        catch
        {
            await DisposeAsync(first);
            throw;
        }

        var plan = requested.Select(h => (Hour: h, Late: false)).Concat(late.Select(h => (Hour: h, Late: true))).ToList();
        if (late.Count > 0)
        {
            logger.Information(
                "Late data: {Count} earlier hour(s) received batches since they were built and will be rebuilt: {Hours}",
                late.Count, string.Join(", ", late.Select(h => h.ToString("yyyy-MM-ddTHH:00Z", System.Globalization.CultureInfo.InvariantCulture))));
        }

        var reports = new List<HourReport>(plan.Count);
        for (var i = 0; i < plan.Count; i++)
        {
            var (hour, isLate) = plan[i];
            var index = i;
            var sources = i == 0 ? first : OpenHour(hours, hour, cancellationToken);
            HourReport report;
            try
            {
                report = await BuildHourAsync(
                    hours, sources, hour, isLate, rows => progress?.Report(new TransformProgress(hour, isLate, index, plan.Count, rows)), cancellationToken);
            }
            finally
            {
                await DisposeAsync(sources);
            }

            logger.Information(
                "Hour {Hour:yyyy-MM-ddTHH:00Z}{Late}: {RowsRead} rows read, {Duplicates} duplicates removed, {RowsLoaded} rows loaded in {Seconds:F2}s",
                hour, isLate ? " (late data)" : string.Empty, report.RowsRead, report.Duplicates, report.RowsLoaded, report.Seconds);
            reports.Add(report);
        }

        return new TransformReport(reports);
    }

    /// <summary>Built hours before <paramref name="before"/> whose partitions got files in commits after their build.</summary>
    private async Task<List<DateTimeOffset>> FindLateHoursAsync(LakeHours hours, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await Warehouse.OpenConnectionAsync(cancellationToken);
        var built = await connection.QueryAsync<(string Topic, DateTime Hour, long Sequence)>(new CommandDefinition(
            "SELECT topic, event_hour, log_sequence FROM rhythmflow.hour_builds WHERE event_hour < @before",
            new { before = before.UtcDateTime },
            cancellationToken: cancellationToken));
        return
        [
            .. built.Where(b => hours.ChangedAfter(b.Topic, new DateTimeOffset(b.Hour, TimeSpan.Zero), b.Sequence))
                .Select(b => new DateTimeOffset(b.Hour, TimeSpan.Zero))
                .Distinct()
                .Order(),
        ];
    }

    /// <summary>
    /// The lake side of one hour: per topic its committed files and its partition (how many slices); the first topic
    /// with files already prepares its first row group.
    /// </summary>
    private List<TopicSource> OpenHour(LakeHours hours, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var sources = new List<TopicSource>(_copiers.Length);
        foreach (var copier in _copiers)
        {
            var files = hours.FilesOf(copier.Topic, hour);
            var partition = new HourPartition(copier.Topic, hour, SlicesFor(files));
            sources.Add(new TopicSource(copier, files, partition, () => new RowGroupPipeline(
                lake, copier, files, hour, new IdentitySet(options.IdentityMemoryMegabytes, files.Sum(f => f.File.Rows)), partition.Slices,
                cancellationToken)));
        }

        sources.FirstOrDefault(s => s.Files.Count > 0)?.Start();
        return sources;
    }

    private static async Task DisposeAsync(List<TopicSource> sources)
    {
        foreach (var source in sources)
        {
            await source.DisposeAsync();
        }
    }

    private async Task<HourReport> BuildHourAsync(
        LakeHours hours, List<TopicSource> sources, DateTimeOffset hour, bool late, Action<long> onRows, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var connection = await Warehouse.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Two runs replacing the same hour would both create its new partition; the second waits for the first.
        await connection.ExecuteAsync(new CommandDefinition(
            $"SELECT pg_advisory_xact_lock({HourLock}); {LoadSettingsSql}", LoadSettings(hour), transaction, cancellationToken: cancellationToken));
        if (await UnattachedSlicesAsync(connection, hour, cancellationToken) is { } leftovers)
        {
            // Committed by a run that died before its hour's commit. Dropped on a connection of their own, so that this
            // transaction holds no lock on a name its slice connections are about to create.
            await using var other = await Warehouse.OpenConnectionAsync(cancellationToken);
            await other.ExecuteAsync(new CommandDefinition($"DROP TABLE IF EXISTS {leftovers}", cancellationToken: cancellationToken));
        }

        // Load every topic into a new table first and swap partitions only at the end: the swap locks the raw
        // tables against readers, so it should hold those locks for as short a time as possible.
        var loads = new List<(TopicLoad Load, IReadOnlyList<LakeHourFile> Files, HourPartition Partition)>(_copiers.Length);
        var sliced = false;
        try
        {
            long rowsSoFar = 0;
            foreach (var source in sources)
            {
                var (copier, files, partition) = (source.Copier, source.Files, source.Partition);
                var started = stopwatch.Elapsed;
                sliced |= partition.Slices > 1;
                var load = files.Count == 0
                    ? new TopicLoad(copier.Topic, 0, 0, 0, 0, 0)
                    : await LoadPartitionAsync(connection, source, read => onRows(rowsSoFar + read), cancellationToken);
                rowsSoFar += load.RowsRead;
                logger.Debug(
                    "{Topic} {Hour:yyyy-MM-ddTHH:00Z}: loading {Rows} rows into {Table} over {Connections} connection(s) took {Seconds:F2}s",
                    copier.Topic, hour, load.RowsLoaded, partition.LoadTable, partition.Slices, (stopwatch.Elapsed - started).TotalSeconds);
                if (load.OutsideHour > 0)
                {
                    logger.Warning(
                        "{Count} {Topic} events in the lake partition of {Hour:yyyy-MM-ddTHH:00Z} have a ts outside that hour; they were not loaded",
                        load.OutsideHour, copier.Topic, hour);
                }

                loads.Add((load, files, partition));
            }

            var swapping = stopwatch.Elapsed;
            foreach (var (load, files, partition) in loads)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    partition.ReplaceSql(attach: files.Count > 0), transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken));
                await RecordBuildAsync(connection, transaction, hours, hour, load, files, cancellationToken);
            }

            var committing = stopwatch.Elapsed;
            await transaction.CommitAsync(cancellationToken);
            logger.Debug(
                "Hour {Hour:yyyy-MM-ddTHH:00Z}: swapping partitions took {SwapSeconds:F2}s, the commit {CommitSeconds:F2}s",
                hour, (committing - swapping).TotalSeconds, (stopwatch.Elapsed - committing).TotalSeconds);
        }
        catch when (sliced)
        {
            await DropUnattachedSlicesAsync(transaction, hour);
            throw;
        }

        return new HourReport(hour, late, [.. loads.Select(l => l.Load)], stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// How many connections load a topic-hour: one per <see cref="TransformOptions.RowsPerLoadConnection"/> rows the
    /// commit log lists for it, at most <see cref="TransformOptions.LoadConnections"/>.
    /// </summary>
    private int SlicesFor(IReadOnlyList<LakeHourFile> files) =>
        (int)Math.Clamp(files.Sum(f => f.File.Rows) / options.RowsPerLoadConnection, 1, options.LoadConnections);

    /// <summary>
    /// After a failed hour, rolls its transaction back and drops the slice tables its other connections had committed
    /// (never attached, so nothing of them was visible); best effort, as the next build of the hour drops them too.
    /// Only under the hour's lock, so a concurrent build of the same hour keeps its own.
    /// </summary>
    private async Task DropUnattachedSlicesAsync(NpgsqlTransaction failed, DateTimeOffset hour)
    {
        try
        {
            await failed.RollbackAsync(CancellationToken.None);
            await using var connection = await Warehouse.OpenConnectionAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    $"SELECT pg_try_advisory_xact_lock({HourLock})", new { hour = hour.UtcDateTime }, transaction))
                && await UnattachedSlicesAsync(connection, hour, CancellationToken.None) is { } tables)
            {
                await connection.ExecuteAsync(new CommandDefinition($"DROP TABLE IF EXISTS {tables}", transaction: transaction));
                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            logger.Warning(ex, "Could not drop the unattached slice tables of {Hour:yyyy-MM-ddTHH:00Z}; its next build drops them", hour);
        }
    }

    /// <summary>The hour's slice tables not attached to anything, as a list of quoted names; null when there are none.</summary>
    private static Task<string?> UnattachedSlicesAsync(NpgsqlConnection connection, DateTimeOffset hour, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relname ~ @pattern AND c.relkind = 'r' AND NOT c.relispartition
            """,
            new { schema = WarehouseSchemas.RawHours, pattern = HourPartition.LoadSlicePattern(hour) },
            cancellationToken: cancellationToken));

    /// <summary>
    /// Creates the hour's new table and fills it with the rows <paramref name="pipeline"/> keeps from the hour's files:
    /// one binary COPY per slice, each into a table created in the COPY's own transaction, which takes COPY FREEZE (rows
    /// are written frozen, so no later pass rewrites them) and, with wal_level=minimal, no WAL.
    /// </summary>
    private async Task<TopicLoad> LoadPartitionAsync(
        NpgsqlConnection connection, TopicSource source, Action<long> onRows, CancellationToken cancellationToken)
    {
        // Disposed once loaded, so its identity set does not outlive the topic.
        await using var _ = source;
        var (copier, partition, pipeline) = (source.Copier, source.Partition, source.Start());
        long rowsRead = 0, duplicates = 0, outside = 0;
        await using var copy = await HourCopy.BeginAsync(
            Warehouse, connection, partition, [.. copier.ColumnNames.Select(c => SqlIdentifier.Quote(c))],
            LoadSettingsSql, LoadSettings(partition.Hour), cancellationToken);
        while (await pipeline.NextAsync() is { } rowGroup)
        {
            cancellationToken.ThrowIfCancellationRequested();
            copier.Write(rowGroup, copy.Writers);
            (rowsRead, duplicates, outside) = (rowsRead + rowGroup.Load.Rows, duplicates + rowGroup.Load.Duplicates, outside + rowGroup.Load.OutsideHour);
            onRows(rowsRead);
        }

        if (pipeline.Identities.Full)
        {
            logger.Information(
                "{Topic} {Hour:yyyy-MM-ddTHH:00Z}: more event identities than Transform:IdentityMemoryMegabytes holds; PostgreSQL removes the remaining duplicates",
                copier.Topic, partition.Hour);
        }

        duplicates += await copy.CompleteAsync(deduplicate: pipeline.Identities.Full, cancellationToken);
        return new TopicLoad(copier.Topic, source.Files.Count, rowsRead, duplicates, rowsRead - duplicates - outside, outside);
    }

    private object LoadSettings(DateTimeOffset hour) => new { hour = hour.UtcDateTime, workMem = $"{options.WorkMemMegabytes}MB" };

    private async Task RecordBuildAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, LakeHours hours, DateTimeOffset hour, TopicLoad load,
        IReadOnlyList<LakeHourFile> files, CancellationToken cancellationToken)
    {
        var parameters = new
        {
            topic = load.Topic,
            hour = hour.UtcDateTime,
            builtAt = time.GetUtcNow().UtcDateTime,
            load.RowsRead,
            load.Duplicates,
            load.RowsLoaded,
            sequence = hours.LastSequence,
            batches = files.Select(f => f.BatchId).Distinct().ToArray(),
        };
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rhythmflow.hour_builds (topic, event_hour, built_at, rows_read, duplicates, rows_loaded, log_sequence)
            VALUES (@topic, @hour, @builtAt, @RowsRead, @Duplicates, @RowsLoaded, @sequence)
            ON CONFLICT (topic, event_hour) DO UPDATE SET built_at = excluded.built_at, rows_read = excluded.rows_read,
                duplicates = excluded.duplicates, rows_loaded = excluded.rows_loaded, log_sequence = excluded.log_sequence;
            DELETE FROM rhythmflow.hour_build_batches WHERE topic = @topic AND event_hour = @hour;
            INSERT INTO rhythmflow.hour_build_batches (topic, event_hour, landing_batch_id)
            SELECT @topic, @hour, unnest(@batches);
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken));
    }
}

/// <summary>One topic of an hour on the lake side: its files, its partition, and the pipeline of its rows once started.</summary>
internal sealed class TopicSource(RawRowCopier copier, IReadOnlyList<LakeHourFile> files, HourPartition partition, Func<RowGroupPipeline> open)
    : IAsyncDisposable
{
    private RowGroupPipeline? _pipeline;

    public RawRowCopier Copier => copier;

    public IReadOnlyList<LakeHourFile> Files => files;

    public HourPartition Partition => partition;

    /// <summary>The pipeline, started (preparing the first row group) on the first call.</summary>
    public RowGroupPipeline Start() => _pipeline ??= open();

    public async ValueTask DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
            _pipeline = null;
        }
    }
}
