using RhythmFlow.Contracts;
using RhythmFlow.Quality.Expectations;
using RhythmFlow.Quality.Reporting;
using RhythmFlow.Quality.Suites;
using RhythmFlow.Quality.Validation;

namespace RhythmFlow.Quality.Tests;

/// <summary>The warehouse's raw layer and crafted marts: one clean hour of listens, then corrupted copies.</summary>
public sealed class RawAndMarts : QualityDatabase
{
    public static readonly DateTimeOffset Hour = new(2026, 3, 29, 14, 0, 0, TimeSpan.Zero);

    protected override bool Migrated => true;

    // Ten listens in 14:00-15:00 (hour "clean"), built from a row template so each scenario changes one thing.
    protected override string SetupSql => """
        INSERT INTO raw.listen_events
        SELECT 'Artist ' || i, 'Song ' || i, 180 + i, '2026-03-29T14:00:00Z'::timestamptz + i * interval '5 minutes', 1000 + i / 3,
               'Logged In', CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'free' END, i % 3, 'Austin', '78701', 'TX', 'Mozilla/5.0',
               -97.7, 30.3, 100 + i, 'Doe', 'Jo', 'F', '2025-01-01T00:00:00Z', NULL,
               'listen_events', 0, i, '2026-03-29T15:01:00Z', 'batch-1'
        FROM generate_series(0, 9) AS i;
        CREATE SCHEMA marts;
        CREATE TABLE marts.dim_users (user_key text, user_id bigint, level text, valid_from timestamptz, valid_to timestamptz);
        INSERT INTO marts.dim_users SELECT 'u' || i, i, 'free', '2025-01-01', NULL FROM generate_series(100, 109) AS i;
        CREATE TABLE marts.dim_songs (song_key text);
        INSERT INTO marts.dim_songs SELECT 's' || i FROM generate_series(0, 9) AS i;
        CREATE TABLE marts.fct_streams (stream_id text, event_hour timestamptz, user_key text, song_key text, duration_seconds double precision, level text);
        INSERT INTO marts.fct_streams SELECT 'st' || i, '2026-03-29T14:00:00Z', 'u' || (100 + i), 's' || i, 200, 'free' FROM generate_series(0, 9) AS i;
        """;
}

public sealed class CorruptionScenarioTests(RawAndMarts db) : IClassFixture<RawAndMarts>
{
    private static readonly DataInterval Interval = new(RawAndMarts.Hour, RawAndMarts.Hour.AddHours(1));

    private sealed class NoQuarantine(long quarantined = 0) : IQuarantineCounts
    {
        public Task<(long Quarantined, long Landed)> CountAsync(string topic, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
            Task.FromResult((quarantined, 10L));
    }

    private async Task<CheckpointRunResult> RunListensAsync(string table, long quarantined = 0)
    {
        var project = GxProject.Open(RepositoryPaths.GxProject);
        var validator = new SuiteValidator(db.DataSource, new FixedTime(Suites.Now), new NoQuarantine(quarantined));
        var runner = new QualityRunner(project, validator, new FixedTime(Suites.Now));
        var batch = BatchSpec.ForTable(table) with { PartitionColumn = "ts", Start = RawAndMarts.Hour, End = RawAndMarts.Hour.AddHours(1) };
        return await runner.RunSuiteAsync("raw_listen_events", batch, Interval, null, CancellationToken.None);
    }

    private async Task<string> CorruptCopyAsync(string change)
    {
        var name = "c_" + Guid.NewGuid().ToString("N")[..8];
        await db.ExecuteAsync($"CREATE TABLE raw.{name} AS SELECT * FROM raw.listen_events; {change.Replace("{t}", "raw." + name, StringComparison.Ordinal)}");
        return "raw." + name;
    }

    private static IEnumerable<string> FailedIds(CheckpointRunResult run) =>
        run.SuiteResults.SelectMany(s => s.Results).Where(r => !r.Success).Select(r => r.Config.Id);

    private static string IdOf(string suite, string key) =>
        GxProject.Open(RepositoryPaths.GxProject).Suite(suite).Expectations.Single(e => e.Id == ExpectationIds.Of(suite, key)).Id;

    [Fact]
    public async Task RawListenSuite_CleanHour_AllPass()
    {
        var run = await RunListensAsync("raw.listen_events");

        FailedIds(run).ShouldBeEmpty();
        run.Passed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("INSERT INTO {t} SELECT * FROM {t} WHERE kafka_offset < 2", "kafka_coordinates_unique")]
    [InlineData("UPDATE {t} SET duration = -1 WHERE kafka_offset = 3", "duration_range")]
    [InlineData("ALTER TABLE {t} ALTER COLUMN user_id DROP NOT NULL; UPDATE {t} SET user_id = NULL WHERE kafka_offset = 4", "not_null_user_id")]
    [InlineData("UPDATE {t} SET level = 'gold' WHERE kafka_offset = 5", "level_values")]
    [InlineData("UPDATE {t} SET zip = '7870' WHERE kafka_offset = 5", "zip_format")]
    public async Task RawListenSuite_Corruption_FailsTheRightExpectation(string change, string expectation)
    {
        // Given a copy of the clean hour with one corruption
        var table = await CorruptCopyAsync(change);

        // When
        var run = await RunListensAsync(table);

        // Then
        run.Passed.ShouldBeFalse();
        FailedIds(run).ShouldContain(IdOf("raw_listen_events", expectation));
    }

    [Fact]
    public async Task RawListenSuite_DuplicatedRows_ReportShowsTheDuplicatesReadably()
    {
        var table = await CorruptCopyAsync("INSERT INTO {t} SELECT * FROM {t} WHERE kafka_offset = 7");
        var run = await RunListensAsync(table);
        var output = Path.Combine(Path.GetTempPath(), "rf-quality-" + Guid.NewGuid().ToString("N")[..8]);

        var stored = new ResultStore(output).Write(run);

        var html = await File.ReadAllTextAsync(stored.ReportPath);
        html.ShouldContain("FAILED");
        html.ShouldContain("expect_compound_columns_to_be_unique ([&quot;kafka_topic&quot;,&quot;kafka_partition&quot;,&quot;kafka_offset&quot;])");
        html.ShouldContain("&quot;kafka_offset&quot;:7");
        File.Exists(stored.IndexPath).ShouldBeTrue();
        stored.ValidationResultPaths.ShouldHaveSingleItem();
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task RawListenSuite_QuarantineOverThreshold_FailsQuarantineShare()
    {
        var run = await RunListensAsync("raw.listen_events", quarantined: 1);

        FailedIds(run).ShouldBe([IdOf("raw_listen_events", "quarantine_share")]);
    }

    [Fact]
    public async Task FctStreamsSuite_OrphanUserKey_FailsForeignKeyExpectation()
    {
        await db.ExecuteAsync("CREATE TABLE marts.fct_orphan AS SELECT * FROM marts.fct_streams; UPDATE marts.fct_orphan SET user_key = 'u999' WHERE stream_id = 'st3'");

        var result = await Suites.RunAsync(db, GxProject.Open(RepositoryPaths.GxProject).Suite("marts_fct_streams"), BatchSpec.ForTable("marts.fct_orphan"), MartParameters(RawAndMarts.Hour));

        var failed = result.Results.Where(r => !r.Success).ToList();
        failed.Select(r => r.Config.Id).ShouldBe([IdOf("marts_fct_streams", "user_key_in_dim_users")]);
        failed[0].Json["result"]!["details"]!["unexpected_rows"]![0]!["user_key"]!.GetValue<string>().ShouldBe("u999");
    }

    [Fact]
    public async Task FctStreamsSuite_StaleMart_FailsFreshness()
    {
        // Given the mart's latest hour is 14:00 but the interval being checked starts at 20:00
        var result = await Suites.RunAsync(db, GxProject.Open(RepositoryPaths.GxProject).Suite("marts_fct_streams"), BatchSpec.ForTable("marts.fct_streams"), MartParameters(RawAndMarts.Hour.AddHours(6)));

        result.Results.Where(r => !r.Success).Select(r => r.Config.Id).ShouldBe([IdOf("marts_fct_streams", "fresh")]);
    }

    private static Dictionary<string, object> MartParameters(DateTimeOffset intervalStart) => new()
    {
        ["interval_start"] = intervalStart,
        ["interval_end"] = intervalStart.AddHours(1),
    };
}

/// <summary>The suite files' expectation ids are UUIDv5 of (suite, key), so tests can name an expectation by its key.</summary>
internal static class ExpectationIds
{
    private static readonly Guid Namespace = Guid.Parse("6f1c2b1e-9d7a-4c43-9b1e-7a4f3c2d1e00");

    public static string Of(string suite, string key)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(suite + "/" + key);
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = System.Security.Cryptography.SHA1.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
