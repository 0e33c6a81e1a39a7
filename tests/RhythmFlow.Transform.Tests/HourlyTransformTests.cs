using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Transform.Tests;

public sealed class HourlyTransformTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>, IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 3, 29, 14, 0, 0, TimeSpan.Zero);
    private readonly TestLake _lake = new();

    [Fact]
    public async Task RunAsync_SameIntervalThreeTimes_LeavesIdenticalTables()
    {
        // Given: two hours, with a duplicate landed in a second batch (a redelivered event)
        await _lake.LandAsync(Topics.Listen, Hour, Events(Topics.Listen, Hour, 1, 300));
        await _lake.LandAsync(Topics.Listen, Hour, Events(Topics.Listen, Hour, 299, 310));
        await _lake.LandAsync(Topics.Auth, Hour.AddHours(1), Events(Topics.Auth, Hour.AddHours(1), 1, 50));
        var interval = new DataInterval(Hour, Hour.AddHours(2));

        // When
        var checksums = new List<string>();
        var reports = new List<TransformReport>();
        for (var run = 0; run < 3; run++)
        {
            reports.Add(await Transform().RunAsync(interval, null, CancellationToken.None));
            checksums.Add(await WarehouseChecks.ChecksumAsync(db.DataSource));
        }

        // Then
        checksums.Distinct().Count().ShouldBe(1);
        var first = reports[0].Hours[0];
        first.RowsRead.ShouldBe(310);
        first.Duplicates.ShouldBe(1);
        first.RowsLoaded.ShouldBe(309);
        reports.ShouldAllBe(r => r.LateHoursRebuilt == 0 && r.Hours.Count == 2);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Auth, Hour.AddHours(1))).ShouldBe(49);
        (await WarehouseChecks.DuplicateIdentitiesAsync(db.DataSource, Topics.Listen)).ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_LateBatchForEarlierHour_RebuildsThatHourWithoutDuplicates()
    {
        // Given: hour H landed and transformed
        var h = Hour.AddDays(1);
        await _lake.LandAsync(Topics.PageView, h, Events(Topics.PageView, h, 1, 100));
        await Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);

        // When: more events for H land (one of them a redelivery), then the next hour runs
        await _lake.LandAsync(Topics.PageView, h, Events(Topics.PageView, h, 99, 150));
        var report = await Transform().RunAsync(new DataInterval(h.AddHours(1), h.AddHours(2)), null, CancellationToken.None);

        // Then
        report.LateHoursRebuilt.ShouldBe(1);
        report.Hours.Single(r => r.Late).Hour.ShouldBe(h);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.PageView, h)).ShouldBe(149);
        (await WarehouseChecks.DuplicateIdentitiesAsync(db.DataSource, Topics.PageView)).ShouldBe(0);
        var again = await Transform().RunAsync(new DataInterval(h.AddHours(1), h.AddHours(2)), null, CancellationToken.None);
        again.LateHoursRebuilt.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_CorruptLakeFile_FailsNamingItAndLeavesWarehouseUnchanged()
    {
        // Given: a loaded hour, then a corrupt file committed into it
        var h = Hour.AddDays(2);
        await _lake.LandAsync(Topics.StatusChange, h, Events(Topics.StatusChange, h, 1, 40));
        await _lake.LandAsync(Topics.Listen, h, Events(Topics.Listen, h, 1, 40));
        await Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);
        var before = await WarehouseChecks.ChecksumAsync(db.DataSource);
        await _lake.LandAsync(Topics.StatusChange, h, Events(Topics.StatusChange, h, 40, 60));
        await _lake.LandRawBytesAsync(Topics.Listen, h, "PAR1 this is not a parquet file PAR1"u8.ToArray());

        // When
        var error = await Should.ThrowAsync<RhythmFlowException>(
            () => Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None));

        // Then
        error.Message.ShouldContain($"{LakeLayout.RawPartition(Topics.Listen, h)}/");
        error.Message.ShouldContain("not readable");
        error.Hint!.ShouldContain("Nothing of this hour was changed");
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(before);
    }

    [Fact]
    public async Task RunAsync_DictionaryEncodedTextWithNul_FailsNamingTheColumnAndLeavesWarehouseUnchanged()
    {
        // Given: a loaded hour, then a file whose level column repeats two values (so it is dictionary-encoded), one with a NUL
        var h = Hour.AddDays(8);
        await _lake.LandAsync(Topics.Listen, h, Events(Topics.Listen, h, 1, 40));
        await Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);
        var before = await WarehouseChecks.ChecksumAsync(db.DataSource);
        var level = LakeSchema.ColumnsOf(Topics.Listen).ToList().FindIndex(c => c.Name == "level");
        var rows = Events(Topics.Listen, h, 40, 140).Select((row, i) =>
        {
            row[level] = i == 70 ? "pa\0id" : "paid";
            return row;
        });
        var batch = await _lake.LandAsync(Topics.Listen, h, rows);
        using (var file = Parquet.ParquetReader.Open(Path.Combine(_lake.Root, LakeLayout.RawPartition(Topics.Listen, h), $"{batch}.parquet")))
        {
            file.Metadata.RowGroups[0].Columns[level].Encodings.ShouldContain(Parquet.ParquetEncoding.RleDictionary);
        }

        // When
        var error = await Should.ThrowAsync<RhythmFlowException>(
            () => Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None));

        // Then
        error.Message.ShouldContain("column 'level' has a value that is not UTF-8 text without NUL characters");
        error.Hint!.ShouldContain("Nothing of this hour was changed");
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(before);
    }

    [Fact]
    public async Task RunAsync_HourWithoutFiles_RecordsAnEmptyBuildSoLaterBatchesCountAsLate()
    {
        var h = Hour.AddDays(3);
        var empty = await Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);
        await _lake.LandAsync(Topics.Auth, h, Events(Topics.Auth, h, 1, 10));

        var next = await Transform().RunAsync(new DataInterval(h.AddHours(1), h.AddHours(2)), null, CancellationToken.None);

        empty.Hours.Single().RowsLoaded.ShouldBe(0);
        next.Hours.Single(r => r.Late).RowsLoaded.ShouldBe(9);
    }

    [Fact]
    public async Task RunAsync_MoreIdentitiesThanIdentityMemoryHolds_KeepsTheFirstCopiesAsWithEnoughMemory()
    {
        // Given: 30,000 events (1 MB of identity memory holds about 24,000), then redeliveries of the first ten
        // (still remembered by the client) and of the last ten (past its limit), plus ten new events
        var h = Hour.AddDays(4);
        await _lake.LandAsync(Topics.Listen, h, Events(Topics.Listen, h, 0, 30_000));
        await _lake.LandAsync(Topics.Listen, h, Events(Topics.Listen, h, 29_990, 30_010));
        await _lake.LandAsync(Topics.Listen, h, Events(Topics.Listen, h, 0, 10));
        var interval = new DataInterval(h, h.AddHours(1));

        // When
        var small = await Transform(new TransformOptions { IdentityMemoryMegabytes = 1 }).RunAsync(interval, null, CancellationToken.None);
        var smallChecksum = await WarehouseChecks.ChecksumAsync(db.DataSource);
        var ample = await Transform().RunAsync(interval, null, CancellationToken.None);

        // Then
        small.Hours.Single().RowsRead.ShouldBe(30_030);
        small.Hours.Single().Duplicates.ShouldBe(20);
        small.Hours.Single().RowsLoaded.ShouldBe(30_010);
        ample.Hours.Single().Duplicates.ShouldBe(20);
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(smallChecksum);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Listen, h)).ShouldBe(30_010);
        (await WarehouseChecks.BatchesOfHourAsync(db.DataSource, Topics.Listen, h)).ShouldBe(["batch-0001", "batch-0002"]);
    }

    [Fact]
    public async Task RunAsync_HourHasRowsInsertedDirectly_ReplacesThemAndKeepsOtherHours()
    {
        // Given: rows inserted into raw.auth_events by hand (they land in its default partition), in the hour and the next
        var h = Hour.AddDays(5);
        await WarehouseChecks.InsertAsync(db.DataSource, Topics.Auth, TestLake.Event(Topics.Auth, h, 900_000, 1));
        await WarehouseChecks.InsertAsync(db.DataSource, Topics.Auth, TestLake.Event(Topics.Auth, h.AddHours(1), 900_001, 1));
        await _lake.LandAsync(Topics.Auth, h, Events(Topics.Auth, h, 1, 21));

        // When
        var report = await Transform().RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);

        // Then
        report.Hours.Single().RowsLoaded.ShouldBe(20);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Auth, h)).ShouldBe(20);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Auth, h.AddHours(1))).ShouldBe(1);
    }

    public void Dispose() => _lake.Dispose();

    private HourlyTransform Transform(TransformOptions? options = null) =>
        new(_lake.Storage, db.DataSource, options ?? new TransformOptions(), Serilog.Log.Logger, TimeProvider.System);

    private static IEnumerable<object?[]> Events(string topic, DateTimeOffset hour, int fromSession, int toSession) =>
        Enumerable.Range(fromSession, toSession - fromSession).Select(s => TestLake.Event(topic, hour, s, s % 5));
}
