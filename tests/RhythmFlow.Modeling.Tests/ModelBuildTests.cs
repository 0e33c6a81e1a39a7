using Npgsql;
using RhythmFlow.Modeling.Execution;
using RhythmFlow.Modeling.Project;
using RhythmFlow.Testing;

namespace RhythmFlow.Modeling.Tests;

/// <summary>Builds the real dbt project on a private PostgreSQL over crafted raw events.</summary>
public sealed class ModelBuildTests(MigratedPostgresDatabase database) : IClassFixture<MigratedPostgresDatabase>, IDisposable
{
    private static readonly RawEvents.User Ana = new(10, "Ana", "Lee", "F", "Washington", "20001", "DC", Day(0).AddDays(-30));
    private static readonly RawEvents.User Ben = new(11, "Ben", "Ng", "M", "Austin", "73301", "TX", Day(9));

    private readonly string _projectCopy = CopyProject();

    // 2024-03-02 is a Saturday.
    private static DateTimeOffset Day(int hour) => new DateTimeOffset(2024, 3, 2, 0, 0, 0, TimeSpan.Zero).AddHours(hour);

    private static string CopyProject()
    {
        var target = Path.Combine(Path.GetTempPath(), "rhythmflow-dbt-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(Repository.DbtProject, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/target/", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(Repository.DbtProject, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public void Dispose() => Directory.Delete(_projectCopy, recursive: true);

    /// <summary>Both tests share the class's database: each starts from empty raw tables and no models.</summary>
    private async Task ResetAsync()
    {
        await using var command = database.DataSource.CreateCommand(
            "truncate raw.listen_events, raw.page_view_events, raw.auth_events, raw.status_change_events; delete from rhythmflow.hour_builds; " +
            "drop schema if exists staging cascade; drop schema if exists intermediate cascade; drop schema if exists marts cascade");
        await command.ExecuteNonQueryAsync();
    }

    private async Task<RunOutcome> BuildAsync(bool fullRefresh = false, IReadOnlyDictionary<string, object?>? vars = null, params string[] select)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var project = DbtProject.Load(new ProjectLoadOptions(_projectCopy, Vars: vars)
        {
            Environment = name => name switch
            {
                "RHYTHMFLOW_PG_DATABASE" => builder.Database,
                _ => null,
            },
        });
        await using var dataSource = ModelingDataSource.Create(database.ConnectionString);
        var output = new StringWriter();
        var outcome = await new ModelRunner(project, dataSource, output, Serilog.Core.Logger.None, TimeProvider.System)
            .RunAsync(new RunRequest(ModelCommand.Build, select, [], fullRefresh), CancellationToken.None);
        outcome.Success.ShouldBeTrue(output.ToString());
        return outcome;
    }

    /// <summary>The vars the hourly chain passes to the model build for its data interval.</summary>
    private static Dictionary<string, object?> Interval(DateTimeOffset start, DateTimeOffset end) => new(StringComparer.Ordinal)
    {
        ["data_interval_start"] = start.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["data_interval_end"] = end.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Records what the transform records when it (re)builds the event hours in [from, to) that have rows.</summary>
    private async Task RecordHourBuildsAsync(DateTimeOffset from, DateTimeOffset to, DateTimeOffset builtAt)
    {
        foreach (var topic in new[] { "listen_events", "page_view_events", "auth_events", "status_change_events" })
        {
            await using var command = database.DataSource.CreateCommand(
                "insert into rhythmflow.hour_builds (topic, event_hour, built_at, rows_read, duplicates, rows_loaded) " +
                $"select $1, date_trunc('hour', ts), $4, count(*), 0, count(*) from raw.{topic} where ts >= $2 and ts < $3 group by 2 " +
                "on conflict (topic, event_hour) do update set built_at = excluded.built_at, rows_read = excluded.rows_read, rows_loaded = excluded.rows_loaded");
            command.Parameters.Add(new NpgsqlParameter { Value = topic });
            command.Parameters.Add(new NpgsqlParameter { Value = from });
            command.Parameters.Add(new NpgsqlParameter { Value = to });
            command.Parameters.Add(new NpgsqlParameter { Value = builtAt });
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<Dictionary<string, string>> SnapshotMartsAsync()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var tables = database.DataSource.CreateCommand("select table_name from information_schema.tables where table_schema = 'marts' order by 1");
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            await using var command = database.DataSource.CreateCommand($"select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from marts.\"{name}\" t");
            result[name] = (string)(await command.ExecuteScalarAsync())!;
        }

        return result;
    }

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>Every row of every mart as text, sorted, by table: a difference names the table and the rows.</summary>
    private async Task<Dictionary<string, List<string>>> MartRowsAsync()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in await RowsAsync("select table_name from information_schema.tables where table_schema = 'marts' order by 1"))
        {
            result[name] = await RowsAsync($"select t::text from marts.\"{name}\" t order by 1");
        }

        return result;
    }

    private static RawEvents MorningAndNoon() => new RawEvents()
        .Session(Ana, 1001, Day(9),
            (0, "Home", "free", null, null),
            (1, "NextSong", "free", "Tony Joe White", "Yo Yo Man"),
            (5, "NextSong", "free", "Atomic Rooster", "Devil's Answer"),
            (9, "Upgrade", "free", null, null))
        .Session(Ana, 1002, Day(11).AddMinutes(50),
            (0, "NextSong", "free", "Tony Joe White", "Yo Yo Man"),
            (10, "Submit Upgrade", "free", null, null),
            (11, "Home", "paid", null, null),
            (15, "NextSong", "paid", "Tony Joe White", "Yo Yo Man"))
        .Session(Ben, 2001, Day(10),
            (0, "Login", "free", null, null),
            (1, "Home", "free", null, null),
            (2, "NextSong", "free", "Atomic Rooster", "Devil's Answer"));

    private static RawEvents Evening() => new RawEvents()
        .Session(Ana, 1003, Day(18),
            (0, "NextSong", "paid", "Atomic Rooster", "Devil's Answer"),
            (3, "Downgrade", "paid", null, null),
            (4, "Submit Downgrade", "paid", null, null),
            (5, "Home", "free", null, null),
            (6, "NextSong", "free", "Tony Joe White", "Yo Yo Man"))
        .Session(Ben, 2002, Day(19),
            (0, "NextSong", "free", "Tony Joe White", "Yo Yo Man"),
            (2, "Cancel", "free", null, null),
            (3, "Cancellation Confirmation", "free", null, null));

    // A session that lands after the evening's hours were built, in the morning's 10:00 hour.
    private static RawEvents LateSession() => new RawEvents()
        .Session(Ben, 2003, Day(10).AddMinutes(30),
            (0, "Home", "free", null, null),
            (1, "NextSong", "free", "Tony Joe White", "Yo Yo Man"));

    [Fact]
    public async Task Build_CraftedDayWithLevelChanges_BuildsTypeTwoUsersAndPassesEveryTest()
    {
        // Given a day where Ana upgrades at noon and downgrades in the evening
        await ResetAsync();
        await MorningAndNoon().WriteAsync(database.DataSource);
        await Evening().WriteAsync(database.DataSource);

        // When
        var outcome = await BuildAsync();

        // Then every dbt test ran and passed, and Ana has three contiguous level periods
        outcome.Results.Count(r => r.Node.ResourceType == ResourceType.Test).ShouldBeGreaterThan(100);
        (await RowsAsync("select level, valid_from, valid_to is null, is_current from marts.dim_users where user_id = 10 order by valid_from"))
            .Select(r => string.Join("|", r.Split('|').Where((_, i) => i != 1)))
            .ShouldBe(["free|False|False", "paid|False|False", "free|True|True"]);

        // a listen minutes before the upgrade joins the free row, one after it the paid row (same day)
        (await RowsAsync("select s.level, u.level from marts.fct_streams s join marts.dim_users u on u.user_key = s.user_key where s.user_id = 10 order by s.event_at"))
            .ShouldBe(["free|free", "free|free", "free|free", "paid|paid", "paid|paid", "free|free"]);
        (await RowsAsync("select state_name from marts.dim_locations where state_code = 'DC'")).ShouldBe(["Washington DC"]);
        (await RowsAsync("select is_weekend, day_of_week from marts.dim_dates")).ShouldBe(["True|6"]);
        (await RowsAsync("select count(*) from marts.dim_songs")).ShouldBe(["2"]);
        (await RowsAsync("select upgraded_users, free_users from marts.agg_conversion_funnel")).ShouldBe(["1|2"]);
        (await RowsAsync("select cancelled_users, downgraded_users from marts.agg_churn")).ShouldBe(["1|1"]);
        (await RowsAsync("select converted, churned from marts.fct_sessions order by session_id")).ShouldBe(
            ["False|False", "True|False", "False|False", "False|False", "False|True"]);
    }

    [Fact]
    public async Task Build_AfterOneMoreHourIncrementally_EqualsFullRefreshAndRebuildsNothingWithoutNewData()
    {
        // Given marts built up to noon, then the evening's events landing
        await ResetAsync();
        await MorningAndNoon().WriteAsync(database.DataSource);
        await BuildAsync();
        await Evening().WriteAsync(database.DataSource);

        // When built incrementally, then again with no new data, then from scratch
        await BuildAsync();
        var incremental = await SnapshotMartsAsync();
        await BuildAsync();
        var again = await SnapshotMartsAsync();
        await BuildAsync(fullRefresh: true);
        var full = await SnapshotMartsAsync();

        // Then
        again.ShouldBe(incremental);
        incremental.ShouldBe(full);
        incremental["fct_streams"].ShouldStartWith("8:");
    }

    [Fact]
    public async Task Build_FullRefreshOverBuiltModels_KeepsTheConfiguredIndexes()
    {
        // Given the marts built once
        await ResetAsync();
        await MorningAndNoon().WriteAsync(database.DataSource);
        await BuildAsync();

        // When every table is rebuilt and swapped in while the old one still holds its index names
        await BuildAsync(fullRefresh: true);

        // Then the new tables have their indexes (fct_streams: stream_id, event_hour, date_key, (user_id, date_key); dim_users: user_key, user_id)
        (await RowsAsync("select count(*) from pg_indexes where schemaname = 'marts' and tablename = 'fct_streams'")).ShouldBe(["4"]);
        (await RowsAsync("select count(*) from pg_indexes where schemaname = 'marts' and tablename = 'dim_users'")).ShouldBe(["2"]);
    }

    [Fact]
    public async Task Build_HourlyWithIntervalVarsAndALateHour_EqualsFullRefreshAndRebuildsNothingWithoutNewData()
    {
        // Given marts built hourly up to noon, then the evening's hours transformed, and the morning's 10:00 hour
        // rebuilt after them by the same transform run because a late session landed in it
        await ResetAsync();
        await MorningAndNoon().WriteAsync(database.DataSource);
        await RecordHourBuildsAsync(Day(0), Day(12), builtAt: Day(13));
        await BuildAsync(vars: Interval(Day(11), Day(12)));
        await Evening().WriteAsync(database.DataSource);
        await LateSession().WriteAsync(database.DataSource);
        await RecordHourBuildsAsync(Day(12), Day(24), builtAt: Day(25));
        await RecordHourBuildsAsync(Day(10), Day(11), builtAt: Day(25).AddMinutes(1));

        // When built for the evening's interval, then again for it, then from scratch
        await BuildAsync(vars: Interval(Day(18), Day(20)));
        var hourly = await SnapshotMartsAsync();
        await BuildAsync(vars: Interval(Day(18), Day(20)));
        var again = await SnapshotMartsAsync();
        await BuildAsync(fullRefresh: true);
        var full = await SnapshotMartsAsync();

        // Then the late session is in the marts exactly as a full refresh puts it there
        again.ShouldBe(hourly);
        hourly.ShouldBe(full);
        hourly["fct_streams"].ShouldStartWith("9:");
        hourly["fct_sessions"].ShouldStartWith("6:");
    }

    private static readonly RawEvents.User Cem = new(12, "Cem", "Kaya", "M", "Boston", "02108", "MA", Day(0).AddDays(-3));

    /// <summary>Cem's day, one hour at a time: free at 09:00 and 10:00 (an upgrade submitted at 10:40), paid from 11:05,
    /// a downgrade at 12:06; Ben in the hours around him.</summary>
    private static RawEvents CemHour(int hour) => hour switch
    {
        9 => new RawEvents()
            .Session(Cem, 3001, Day(9).AddMinutes(10), (0, "Home", "free", null, null), (10, "NextSong", "free", "Tony Joe White", "Yo Yo Man"))
            .Session(Ben, 2101, Day(9).AddMinutes(30), (0, "NextSong", "free", "Atomic Rooster", "Devil's Answer")),
        10 => new RawEvents()
            .Session(Cem, 3002, Day(10),
                (5, "NextSong", "free", "Atomic Rooster", "Devil's Answer"),
                (30, "Upgrade", "free", null, null),
                (40, "Submit Upgrade", "free", null, null)),
        11 => new RawEvents()
            .Session(Cem, 3004, Day(11).AddMinutes(5), (0, "Home", "paid", null, null), (3, "NextSong", "paid", "Shocking Blue", "Venus"))
            .Session(Ben, 2102, Day(11).AddMinutes(20), (0, "NextSong", "free", "Tony Joe White", "Yo Yo Man")),
        12 => new RawEvents()
            .Session(Cem, 3005, Day(12),
                (0, "NextSong", "paid", "Atomic Rooster", "Devil's Answer"),
                (5, "Downgrade", "paid", null, null),
                (6, "Submit Downgrade", "paid", null, null),
                (8, "NextSong", "free", "Tony Joe White", "Yo Yo Man")),
        _ => throw new ArgumentOutOfRangeException(nameof(hour)),
    };

    // Cem's first paid listen, at 10:50, lands after 11:00 and 12:00 were modelled: his paid period now starts an
    // hour earlier, so the paid row's user_key changes and the facts of 11:00 and 12:00 must follow it; and his first
    // listen of Venus that day moves from 11:00 to 10:00, so 11:00 no longer counts him as a new listener.
    private static RawEvents CemLatePaidListen() => new RawEvents()
        .Session(Cem, 3003, Day(10).AddMinutes(50), (0, "NextSong", "paid", "Shocking Blue", "Venus"));

    [Fact]
    public async Task Build_HourlySequenceWithLevelChangesAndALateEventMovingAPeriod_EqualsFullRefreshRowByRow()
    {
        // Given hours 09:00 to 11:00 transformed and modelled one at a time, as the hourly chain runs them
        await ResetAsync();
        foreach (var hour in new[] { 9, 10, 11 })
        {
            await CemHour(hour).WriteAsync(database.DataSource);
            await RecordHourBuildsAsync(Day(hour), Day(hour + 1), builtAt: Day(hour + 1));
            await BuildAsync(vars: Interval(Day(hour), Day(hour + 1)));
        }

        // and 12:00 transformed together with a rebuild of 10:00, where a late listen of Cem's landed
        await CemHour(12).WriteAsync(database.DataSource);
        await CemLatePaidListen().WriteAsync(database.DataSource);
        await RecordHourBuildsAsync(Day(12), Day(13), builtAt: Day(13));
        await RecordHourBuildsAsync(Day(10), Day(11), builtAt: Day(13).AddMinutes(1));

        // When 12:00 is modelled, then modelled again, then the whole day from scratch
        await BuildAsync(vars: Interval(Day(12), Day(13)));
        var hourly = await MartRowsAsync();
        await BuildAsync(vars: Interval(Day(12), Day(13)));
        var again = await MartRowsAsync();
        await BuildAsync(fullRefresh: true);
        var full = await MartRowsAsync();

        // Then every mart holds exactly the full refresh's rows
        hourly.Keys.ShouldBe(full.Keys);
        foreach (var (table, rows) in full)
        {
            hourly[table].ShouldBe(rows, $"marts.{table} after the hourly builds");
            again[table].ShouldBe(rows, $"marts.{table} after building the same hour again");
        }

        // and Cem's paid period starts at the late listen, with every paid fact of his keyed to it
        (await RowsAsync("select level, to_char(valid_from, 'HH24:MI'), coalesce(to_char(valid_to, 'HH24:MI'), '-') from marts.dim_users where user_id = 12 order by valid_from"))
            .ShouldBe(["free|09:10|10:50", "paid|10:50|12:08", "free|12:08|-"]);
        (await RowsAsync("select distinct to_char(u.valid_from, 'HH24:MI') from marts.fct_page_views f join marts.dim_users u on u.user_key = f.user_key where f.user_id = 12 and f.level = 'paid'"))
            .ShouldBe(["10:50"]);
        (await RowsAsync("select streams, listeners from marts.agg_daily_top_songs where song_title = 'Venus'")).ShouldBe(["2|1"]);
    }
}
