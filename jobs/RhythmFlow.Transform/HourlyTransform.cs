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
public sealed class HourlyTransform(ILakeStorage lake, NpgsqlDataSource warehouse, TransformOptions options, ILogger logger, TimeProvider time)
{
    private static readonly RawRowCopier[] Copiers = [.. Topics.All.Select(t => new RawRowCopier(t))];

    public async Task<TransformReport> RunAsync(
        DataInterval interval, IProgress<TransformProgress>? progress, CancellationToken cancellationToken)
    {
        var log = await LakeCommitLog.OpenAsync(lake, cancellationToken);
        var hours = new LakeHours(log);
        var requested = interval.Hours().ToList();
        var late = await FindLateHoursAsync(hours, requested[0], cancellationToken);
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
            var report = await BuildHourAsync(
                hours, hour, isLate, rows => progress?.Report(new TransformProgress(hour, isLate, index, plan.Count, rows)), cancellationToken);
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
        await using var connection = await warehouse.OpenConnectionAsync(cancellationToken);
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

    private async Task<HourReport> BuildHourAsync(
        LakeHours hours, DateTimeOffset hour, bool late, Action<long> onRows, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var end = hour.AddHours(1);
        await using var connection = await warehouse.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Two runs replacing the same hour would each delete before the other's insert is visible, and both insert.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('rhythmflow.transform.hour:' || @hour::text, 0)); "
            + "SELECT set_config('work_mem', @workMem, true)",
            new { hour = hour.UtcDateTime, workMem = $"{options.WorkMemMegabytes}MB" }, transaction, cancellationToken: cancellationToken));

        var loads = new List<TopicLoad>(Copiers.Length);
        long rowsSoFar = 0;
        foreach (var copier in Copiers)
        {
            var started = stopwatch.Elapsed;
            var files = hours.FilesOf(copier.Topic, hour);
            var staging = $"stage_{copier.Topic}";
            var columns = string.Join(", ", copier.ColumnNames.Select(c => SqlIdentifier.Quote(c)));
            var raw = SqlIdentifier.RawTable(copier.Topic);
            await connection.ExecuteAsync(new CommandDefinition(
                $"CREATE TEMP TABLE {SqlIdentifier.Quote(staging)} (LIKE {raw}) ON COMMIT DROP",
                transaction: transaction, cancellationToken: cancellationToken));

            long rowsRead = 0;
            await using (var importer = await connection.BeginBinaryImportAsync(
                $"COPY {SqlIdentifier.Quote(staging)} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var file in files)
                {
                    rowsRead += await CopyFileAsync(copier, file, importer, read => onRows(rowsSoFar + read), cancellationToken);
                }

                await importer.CompleteAsync(cancellationToken);
            }

            rowsSoFar += rowsRead;
            var copied = stopwatch.Elapsed;
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {raw} WHERE ts >= @hour AND ts < @end",
                new { hour = hour.UtcDateTime, end = end.UtcDateTime }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

            // The first copy of an event wins: files are copied oldest commit first, so re-runs keep the same row.
            // Only identities seen more than once are grouped into the (small) hash table; every other row passes
            // the join untouched, so the insert stays one sequential scan of the staging table.
            var identity = string.Join(", ", LakeSchema.EventIdentity.Select(c => SqlIdentifier.Quote(c)));
            var stage = SqlIdentifier.Quote(staging);
            var (duplicates, loaded) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
                $"""
                WITH dups AS MATERIALIZED (
                    SELECT {identity}, min(ctid) AS first, count(*) - 1 AS extra
                    FROM {stage} GROUP BY {identity} HAVING count(*) > 1),
                inserted AS (
                    INSERT INTO {raw} ({columns})
                    SELECT {string.Join(", ", copier.ColumnNames.Select(c => "s." + SqlIdentifier.Quote(c)))}
                    FROM {stage} s LEFT JOIN dups d USING ({identity})
                    WHERE s.ts >= @hour AND s.ts < @end AND (d.first IS NULL OR d.first = s.ctid)
                    RETURNING 1)
                SELECT coalesce((SELECT sum(extra) FROM dups), 0)::bigint, (SELECT count(*) FROM inserted)
                """,
                new { hour = hour.UtcDateTime, end = end.UtcDateTime }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            logger.Debug(
                "{Topic} {Hour:yyyy-MM-ddTHH:00Z}: COPY of {Rows} rows took {CopySeconds:F2}s, replacing the hour {ReplaceSeconds:F2}s",
                copier.Topic, hour, rowsRead, (copied - started).TotalSeconds, (stopwatch.Elapsed - copied).TotalSeconds);

            var load = new TopicLoad(copier.Topic, files.Count, rowsRead, duplicates, loaded, rowsRead - duplicates - loaded);
            if (load.OutsideHour > 0)
            {
                logger.Warning(
                    "{Count} {Topic} events in the lake partition of {Hour:yyyy-MM-ddTHH:00Z} have a ts outside that hour; they were not loaded",
                    load.OutsideHour, copier.Topic, hour);
            }

            await RecordBuildAsync(connection, transaction, hours, hour, load, files, cancellationToken);
            loads.Add(load);
        }

        await transaction.CommitAsync(cancellationToken);
        return new HourReport(hour, late, loads, stopwatch.Elapsed.TotalSeconds);
    }

    private async Task<long> CopyFileAsync(
        RawRowCopier copier, LakeHourFile file, NpgsqlBinaryImporter importer, Action<long> onRows, CancellationToken cancellationToken)
    {
        long rows = 0;
        try
        {
            using var reader = await LakeFileReader.OpenAsync(lake, file.File.Key, copier.Topic, cancellationToken);
            foreach (var rowGroup in LakeFileReader.RowGroups(reader, copier))
            {
                cancellationToken.ThrowIfCancellationRequested();
                rows += copier.Copy(rowGroup, importer);
                onRows(rows);
            }
        }
        catch (Exception ex) when (ex is ParquetFormatException or IOException or InvalidDataException)
        {
            throw new RhythmFlowException(
                $"Lake file '{file.File.Key}' ({copier.Topic}, batch {file.BatchId}) is not readable: {ex.Message}",
                "Nothing of this hour was changed in the warehouse. Restore the file (or re-land its batch) and re-run the transform.",
                ex);
        }

        return rows;
    }

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
