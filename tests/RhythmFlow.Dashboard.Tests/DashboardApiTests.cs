using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace RhythmFlow.Dashboard.Tests;

/// <summary>
/// Every endpoint against the simulated marts, checked against direct SQL over the marts: the unfiltered numbers
/// against the facts (so the aggregates the endpoints read are checked too), the state-filtered ones against the
/// facts of that state, and, where a number adds up, the states against the whole.
/// </summary>
[Collection(SimulatedMartsCollection.Name)]
public sealed class DashboardApiTests(SimulatedMarts marts) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly object Day = new { day = Formats.Iso(SimulatedMarts.Day), previous = Formats.Iso(SimulatedMarts.Day.AddDays(-1)) };
    private readonly HttpClient _http = new() { BaseAddress = marts.Url };

    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string endpoint, string? state = null)
    {
        var query = $"api/{endpoint}?date={Formats.Iso(SimulatedMarts.Day)}" + (state is null ? string.Empty : $"&state={state}");
        return (await _http.GetFromJsonAsync<T>(query, Json))!;
    }

    private async Task<List<T>> SqlAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await marts.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<T>(sql, parameters ?? Day)];
    }

    private async Task<string> BusiestStateAsync() => (await SqlAsync<string>(
        """
        select l.state_code from marts.fct_streams f join marts.dim_locations l on l.location_key = f.location_key
        where cast(f.event_at as date) = cast(@day as date) and l.state_code is not null
        group by l.state_code order by count(*) desc, l.state_code limit 1
        """)).Single();

    private async Task<List<string>> StatesWithEventsAsync() => await SqlAsync<string>(
        """
        select distinct l.state_code from marts.fct_page_views p join marts.dim_locations l on l.location_key = p.location_key
        where cast(p.event_at as date) in (cast(@day as date), cast(@previous as date)) and l.state_code is not null
        """);

    [Fact]
    public async Task Meta_SimulatedDays_ListsBothDaysAndTheStatesSeen()
    {
        var meta = await GetAsync<DashboardMeta>("meta");

        meta.MartsBuilt.ShouldBeTrue();
        meta.Days.ShouldBe(["2024-03-01", "2024-03-02"]);
        var states = await SqlAsync<string>("select distinct state_code from marts.dim_locations where state_code is not null and state_name <> 'Unknown' order by 1");
        meta.States.Select(s => s.Code).Order(StringComparer.Ordinal).ShouldBe(states);
        meta.States.Count.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task Scorecards_AllStates_MatchTheFacts()
    {
        var cards = await GetAsync<Scorecards>("scorecards");

        var streams = await SqlAsync<long>("select count(*) from marts.fct_streams where cast(event_at as date) = cast(@day as date)");
        var previous = await SqlAsync<long>("select count(*) from marts.fct_streams where cast(event_at as date) = cast(@previous as date)");
        var users = (await SqlAsync<(long Active, long New, double PaidShare)>(
            """
            with last_events as (
                select distinct on (user_id) user_id, level
                from marts.fct_page_views
                where user_id is not null and cast(event_at as date) = cast(@day as date)
                order by user_id, event_at desc, session_id desc, item_in_session desc
            )
            select count(*),
                   count(*) filter (where user_id in (select user_id from marts.dim_users where cast(registered_at as date) = cast(@day as date))),
                   avg(case when level = 'paid' then 1.0 else 0.0 end)::float8
            from last_events
            """)).Single();
        var sessions = (await SqlAsync<(long Count, double Median)>(
            "select count(*), (percentile_cont(0.5) within group (order by duration_seconds))::float8 from marts.fct_sessions where cast(started_at as date) = cast(@day as date)")).Single();

        cards.Date.ShouldBe("2024-03-02");
        cards.PreviousDate.ShouldBe("2024-03-01");
        cards.Streams.ShouldBe(streams.Single());
        cards.Streams.ShouldBeGreaterThan(0);
        cards.PreviousStreams.ShouldBe(previous.Single());
        cards.StreamsChange!.Value.ShouldBe(((double)streams.Single() / previous.Single()) - 1, 1e-12);
        cards.ActiveUsers.ShouldBe(users.Active);
        cards.NewUsers.ShouldBe(users.New);
        cards.PaidShare!.Value.ShouldBe(users.PaidShare, 1e-12);
        cards.Sessions.ShouldBe(sessions.Count);
        cards.MedianSessionSeconds!.Value.ShouldBe(sessions.Median, 1e-9);
    }

    [Fact]
    public async Task Scorecards_OneState_MatchThatStatesFacts()
    {
        var state = await BusiestStateAsync();

        var cards = await GetAsync<Scorecards>("scorecards", state);

        var expected = (await SqlAsync<(long Streams, long Active, long Sessions)>(
            """
            select
                (select count(*) from marts.fct_streams f join marts.dim_locations l on l.location_key = f.location_key
                 where cast(f.event_at as date) = cast(@day as date) and l.state_code = @state),
                (select count(distinct p.user_id) from marts.fct_page_views p join marts.dim_locations l on l.location_key = p.location_key
                 where cast(p.event_at as date) = cast(@day as date) and l.state_code = @state),
                (select count(*) from marts.fct_sessions s join marts.dim_locations l on l.location_key = s.location_key
                 where cast(s.started_at as date) = cast(@day as date) and l.state_code = @state)
            """,
            new { day = Formats.Iso(SimulatedMarts.Day), state })).Single();
        cards.Streams.ShouldBe(expected.Streams);
        cards.ActiveUsers.ShouldBe(expected.Active);
        cards.Sessions.ShouldBe(expected.Sessions);
        cards.Streams.ShouldBeLessThan((await GetAsync<Scorecards>("scorecards")).Streams);
    }

    [Fact]
    public async Task Scorecards_EveryStateAddedUp_EqualsAllStates()
    {
        // Given: every simulated user lives in one place, so states partition the day's streams, users and sessions
        var all = await GetAsync<Scorecards>("scorecards");

        // When
        var perState = new List<Scorecards>();
        foreach (var state in await StatesWithEventsAsync())
        {
            perState.Add(await GetAsync<Scorecards>("scorecards", state));
        }

        // Then
        perState.Sum(s => s.Streams).ShouldBe(all.Streams);
        perState.Sum(s => s.PreviousStreams).ShouldBe(all.PreviousStreams);
        perState.Sum(s => s.ActiveUsers).ShouldBe(all.ActiveUsers);
        perState.Sum(s => s.NewUsers).ShouldBe(all.NewUsers);
        perState.Sum(s => s.Sessions).ShouldBe(all.Sessions);
        perState.Sum(s => s.PaidShare.GetValueOrDefault() * s.ActiveUsers).ShouldBe(all.PaidShare!.Value * all.ActiveUsers, 1e-6);
    }

    [Fact]
    public async Task States_Day_MatchStreamsAndListenersPerState()
    {
        var states = await GetAsync<List<StateActivity>>("states");

        var expected = await SqlAsync<StateActivity>(
            """
            select l.state_code as statecode, l.state_name as statename, count(*) as streams, count(distinct f.user_id) as listeners
            from marts.fct_streams f join marts.dim_locations l on l.location_key = f.location_key
            where cast(f.event_at as date) = cast(@day as date) and l.state_code is not null
            group by l.state_code, l.state_name order by streams desc, l.state_code
            """);
        states.ShouldBe(expected);
        states.Count.ShouldBeGreaterThan(5);
    }

    [Fact]
    public async Task TopSongs_AllStatesAndOneState_MatchTheFactsRanking()
    {
        const string Sql = """
            select row_number() over (order by count(*) desc, s.artist_name, s.song_title) as rank,
                   s.song_title as songtitle, s.artist_name as artistname, count(*) as streams
            from marts.fct_streams f
            join marts.dim_songs s on s.song_key = f.song_key
            join marts.dim_locations l on l.location_key = f.location_key
            where cast(f.event_at as date) = cast(@day as date) and (@state::text is null or l.state_code = @state)
            group by s.song_key, s.song_title, s.artist_name
            order by rank limit 10
            """;
        var state = await BusiestStateAsync();

        (await GetAsync<List<TopSong>>("top-songs")).ShouldBe(await SqlAsync<TopSong>(Sql, new { day = Formats.Iso(SimulatedMarts.Day), state = (string?)null }));
        var inState = await GetAsync<List<TopSong>>("top-songs", state);
        inState.ShouldBe(await SqlAsync<TopSong>(Sql, new { day = Formats.Iso(SimulatedMarts.Day), state }));
        inState.Count.ShouldBe(10);
    }

    [Fact]
    public async Task TopArtists_AllStatesAndOneState_MatchTheFactsRanking()
    {
        const string Sql = """
            select row_number() over (order by count(*) desc, a.artist_name) as rank, a.artist_name as artistname, count(*) as streams
            from marts.fct_streams f
            join marts.dim_artists a on a.artist_key = f.artist_key
            join marts.dim_locations l on l.location_key = f.location_key
            where cast(f.event_at as date) = cast(@day as date) and (@state::text is null or l.state_code = @state)
            group by a.artist_key, a.artist_name
            order by rank limit 10
            """;
        var state = await BusiestStateAsync();

        (await GetAsync<List<TopArtist>>("top-artists")).ShouldBe(await SqlAsync<TopArtist>(Sql, new { day = Formats.Iso(SimulatedMarts.Day), state = (string?)null }));
        (await GetAsync<List<TopArtist>>("top-artists", state)).ShouldBe(await SqlAsync<TopArtist>(Sql, new { day = Formats.Iso(SimulatedMarts.Day), state }));
    }

    [Fact]
    public async Task GenderLevel_AllStates_MatchesTheMartAndAddsUpOverStates()
    {
        var all = await GetAsync<List<GenderLevel>>("gender-level");

        all.ShouldBe(await SqlAsync<GenderLevel>(
            "select gender, level, active_users as activeusers from marts.agg_daily_users_by_gender_level where date_day = cast(@day as date) order by gender, level"));
        all.Sum(r => r.ActiveUsers).ShouldBe((await GetAsync<Scorecards>("scorecards")).ActiveUsers);
        var perState = new List<GenderLevel>();
        foreach (var state in await StatesWithEventsAsync())
        {
            perState.AddRange(await GetAsync<List<GenderLevel>>("gender-level", state));
        }

        perState.GroupBy(r => (r.Gender, r.Level)).Select(g => new GenderLevel(g.Key.Gender, g.Key.Level, g.Sum(r => r.ActiveUsers)))
            .OrderBy(r => r.Gender, StringComparer.Ordinal).ThenBy(r => r.Level, StringComparer.Ordinal).ShouldBe(all);
    }

    [Fact]
    public async Task Hourly_AllStatesAndOneState_MatchStreamsPerHourOfBothDays()
    {
        const string Sql = """
            select extract(hour from f.event_at)::int as hour,
                   count(*) filter (where cast(f.event_at as date) = cast(@day as date)) as streams,
                   count(*) filter (where cast(f.event_at as date) = cast(@previous as date)) as previousstreams
            from marts.fct_streams f join marts.dim_locations l on l.location_key = f.location_key
            where (@state::text is null or l.state_code = @state)
            group by 1 order by 1
            """;
        var state = await BusiestStateAsync();
        var day = Formats.Iso(SimulatedMarts.Day);
        var previous = Formats.Iso(SimulatedMarts.Day.AddDays(-1));

        var all = await GetAsync<List<HourlyStreams>>("hourly");
        var inState = await GetAsync<List<HourlyStreams>>("hourly", state);

        all.Select(h => h.Hour).ShouldBe(Enumerable.Range(0, 24));
        all.Where(h => h.Streams + h.PreviousStreams > 0).ShouldBe(await SqlAsync<HourlyStreams>(Sql, new { day, previous, state = (string?)null }));
        inState.Where(h => h.Streams + h.PreviousStreams > 0).ShouldBe(await SqlAsync<HourlyStreams>(Sql, new { day, previous, state }));
        inState.Sum(h => h.Streams).ShouldBe((await GetAsync<Scorecards>("scorecards", state)).Streams);
    }

    [Fact]
    public async Task Funnel_AllStates_MatchesTheMartAndAddsUpOverStates()
    {
        var all = await GetAsync<ConversionFunnel>("funnel");

        all.ShouldBe((await SqlAsync<ConversionFunnel>(
            "select free_users as freeusers, upgrade_page_users as upgradepageusers, upgraded_users as upgradedusers from marts.agg_conversion_funnel where date_day = cast(@day as date)")).Single());
        all.FreeUsers.ShouldBeGreaterThan(0);
        var perState = new List<ConversionFunnel>();
        foreach (var state in await StatesWithEventsAsync())
        {
            perState.Add(await GetAsync<ConversionFunnel>("funnel", state));
        }

        new ConversionFunnel(perState.Sum(f => f.FreeUsers), perState.Sum(f => f.UpgradePageUsers), perState.Sum(f => f.UpgradedUsers)).ShouldBe(all);
    }

    [Fact]
    public async Task Trends_AllStates_MatchChurnAndFunnelMartsAndAddUpOverStates()
    {
        var all = await GetAsync<List<DailyTrend>>("trends");

        var expected = await SqlAsync<(DateTime Day, long Active, long Paid, long Downgraded, long Cancelled, long Free, long Upgraded)>(
            """
            select c.date_day, c.active_users, c.paid_users, c.downgraded_users, c.cancelled_users, f.free_users, f.upgraded_users
            from marts.agg_churn c join marts.agg_conversion_funnel f on f.date_day = c.date_day order by 1
            """);
        all.Select(t => (t.Date, t.ActiveUsers, t.PaidUsers, t.DowngradedUsers, t.CancelledUsers, t.FreeUsers, t.UpgradedUsers))
            .ShouldBe(expected.Select(e => (e.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), e.Active, e.Paid, e.Downgraded, e.Cancelled, e.Free, e.Upgraded)));
        var perState = new List<DailyTrend>();
        foreach (var state in await StatesWithEventsAsync())
        {
            perState.AddRange(await GetAsync<List<DailyTrend>>("trends", state));
        }

        foreach (var day in all)
        {
            var states = perState.Where(t => t.Date == day.Date).ToList();
            (states.Sum(t => t.ActiveUsers), states.Sum(t => t.CancelledUsers), states.Sum(t => t.UpgradedUsers), states.Sum(t => t.DowngradedUsers))
                .ShouldBe((day.ActiveUsers, day.CancelledUsers, day.UpgradedUsers, day.DowngradedUsers));
        }
    }

    [Theory]
    [InlineData("scorecards?date=yesterday")]
    [InlineData("scorecards")]
    [InlineData("top-songs?date=2024-03-02&state=tx")]
    [InlineData("hourly?date=2024-03-02&state=TX';drop table marts.fct_streams;--")]
    public async Task Endpoint_BadFilter_Returns400WithAHint(string query)
    {
        var response = await _http.GetAsync($"api/{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("must be");
    }

    [Fact]
    public async Task Scorecards_DayWithoutData_ReturnsZerosAndNoRatios()
    {
        var response = await _http.GetFromJsonAsync<Scorecards>("api/scorecards?date=2023-01-01", Json);

        response.ShouldBe(new Scorecards("2023-01-01", "2022-12-31", 0, 0, null, 0, 0, null, 0, null));
    }
}
