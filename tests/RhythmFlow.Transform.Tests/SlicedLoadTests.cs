using Dapper;
using RhythmFlow.Contracts;
using RhythmFlow.Testing;

namespace RhythmFlow.Transform.Tests;

/// <summary>An hour loaded over several connections, one slice table each, gives the same raw rows as one connection.</summary>
public sealed class SlicedLoadTests(MigratedPostgresDatabase db) : IClassFixture<MigratedPostgresDatabase>, IDisposable
{
    private static readonly DateTimeOffset Hour = new(2026, 5, 3, 7, 0, 0, TimeSpan.Zero);
    private static readonly TransformOptions ThreeConnections = new() { LoadConnections = 3, RowsPerLoadConnection = 100 };
    private readonly TestLake _lake = new();

    [Fact]
    public async Task RunAsync_HourOverThreeConnections_LoadsTheSameRowsAsOneConnection()
    {
        // Given: an hour in three batches, with redeliveries across batches (negative sessions too, whose remainder is negative)
        await _lake.LandAsync(Topics.Listen, Hour, Events(-200, 1_000));
        await _lake.LandAsync(Topics.Listen, Hour, Events(990, 1_500));
        await _lake.LandAsync(Topics.Listen, Hour, Events(-210, -190));
        var interval = new DataInterval(Hour, Hour.AddHours(1));

        // When
        var single = await Transform(new TransformOptions { LoadConnections = 1 }).RunAsync(interval, null, CancellationToken.None);
        var singleChecksum = await WarehouseChecks.ChecksumAsync(db.DataSource);
        var singleSlices = await SlicesAsync();
        var sliced = await Transform(ThreeConnections).RunAsync(interval, null, CancellationToken.None);
        var slices = await SlicesAsync();
        var slicedChecksum = await WarehouseChecks.ChecksumAsync(db.DataSource);
        await Transform(ThreeConnections).RunAsync(interval, null, CancellationToken.None);
        var slicedAgainChecksum = await WarehouseChecks.ChecksumAsync(db.DataSource);
        await Transform(new TransformOptions { LoadConnections = 1 }).RunAsync(interval, null, CancellationToken.None);

        // Then: the same rows however the hour was loaded, and re-loads replace sliced and plain hours alike
        slicedChecksum.ShouldBe(singleChecksum);
        slicedAgainChecksum.ShouldBe(singleChecksum);
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(singleChecksum);
        singleSlices.ShouldBeEmpty();
        slices.ShouldBe(["FOR VALUES IN ('0')", "FOR VALUES IN ('1', '-1')", "FOR VALUES IN ('2', '-2')"]);
        (await SlicesAsync()).ShouldBeEmpty();
        sliced.Hours.Single().RowsLoaded.ShouldBe(single.Hours.Single().RowsLoaded);
        sliced.Hours.Single().Duplicates.ShouldBe(20);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Listen, Hour)).ShouldBe(1_710);
        (await LoadTablesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_SlicedHourWithMoreIdentitiesThanMemoryHolds_KeepsTheFirstCopiesInEverySlice()
    {
        // Given: 30,000 events (1 MB of identity memory holds about 24,000), then redeliveries of the first and last ten
        var h = Hour.AddDays(1);
        await _lake.LandAsync(Topics.Listen, h, Events(0, 30_000, h));
        await _lake.LandAsync(Topics.Listen, h, Events(29_990, 30_010, h));
        await _lake.LandAsync(Topics.Listen, h, Events(0, 10, h));
        var interval = new DataInterval(h, h.AddHours(1));

        // When
        var ample = await Transform().RunAsync(interval, null, CancellationToken.None);
        var ampleChecksum = await WarehouseChecks.ChecksumAsync(db.DataSource);
        var small = await Transform(new TransformOptions { LoadConnections = 3, RowsPerLoadConnection = 100, IdentityMemoryMegabytes = 1 })
            .RunAsync(interval, null, CancellationToken.None);

        // Then
        small.Hours.Single().Duplicates.ShouldBe(20);
        small.Hours.Single().RowsLoaded.ShouldBe(ample.Hours.Single().RowsLoaded);
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(ampleChecksum);
        (await WarehouseChecks.BatchesOfHourAsync(db.DataSource, Topics.Listen, h)).ShouldBe(["batch-0001", "batch-0002"]);
    }

    [Fact]
    public async Task RunAsync_CorruptFileInSlicedHour_LeavesWarehouseUnchangedAndNoSliceTables()
    {
        // Given: a sliced hour loaded, then a corrupt file committed into it
        var h = Hour.AddDays(2);
        await _lake.LandAsync(Topics.Listen, h, Events(0, 600, h));
        await Transform(ThreeConnections).RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);
        var before = await WarehouseChecks.ChecksumAsync(db.DataSource);
        await _lake.LandRawBytesAsync(Topics.Listen, h, "PAR1 this is not a parquet file PAR1"u8.ToArray());

        // When
        var error = await Should.ThrowAsync<RhythmFlowException>(
            () => Transform(ThreeConnections).RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None));

        // Then
        error.Message.ShouldContain("not readable");
        (await WarehouseChecks.ChecksumAsync(db.DataSource)).ShouldBe(before);
        (await LoadTablesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_SliceTableLeftByAKilledRun_IsDroppedAndTheHourLoads()
    {
        // Given: a slice table committed by a run killed before its hour's commit (never attached, so not in raw)
        var h = Hour.AddDays(3);
        await _lake.LandAsync(Topics.Listen, h, Events(0, 600, h));
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE raw_hours.listen_events_2026050607_load_1 (LIKE raw.listen_events)");
        }

        // When
        var report = await Transform(ThreeConnections).RunAsync(new DataInterval(h, h.AddHours(1)), null, CancellationToken.None);

        // Then
        report.Hours.Single().RowsLoaded.ShouldBe(600);
        (await WarehouseChecks.CountAsync(db.DataSource, Topics.Listen, h)).ShouldBe(600);
        (await LoadTablesAsync()).ShouldBeEmpty();
    }

    public void Dispose() => _lake.Dispose();

    private HourlyTransform Transform(TransformOptions? options = null) =>
        new(_lake.Storage, db.DataSource, options ?? new TransformOptions(), Serilog.Log.Logger, TimeProvider.System);

    /// <summary>The partition bounds of the hour's slices; empty when the hour is one plain table.</summary>
    private async Task<List<string>> SlicesAsync()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            """
            SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'raw_hours.listen_events_2026050307'::regclass ORDER BY c.relname
            """)];
    }

    private async Task<List<string>> LoadTablesAsync()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'raw_hours' AND tablename LIKE '%\\_load%'")];
    }

    /// <summary>Events of sessions [from, to), all inside the hour (also those of negative sessions, unlike <see cref="TestLake.Event"/>'s).</summary>
    private static IEnumerable<object?[]> Events(int fromSession, int toSession, DateTimeOffset? hour = null)
    {
        var ts = LakeSchema.ColumnsOf(Topics.Listen).ToList().FindIndex(c => c.Name == "ts");
        return Enumerable.Range(fromSession, toSession - fromSession).Select(s =>
        {
            var row = TestLake.Event(Topics.Listen, hour ?? Hour, s, s % 5);
            row[ts] = (hour ?? Hour).AddSeconds(Math.Abs(s) % 3600).UtcDateTime;
            return row;
        });
    }
}
