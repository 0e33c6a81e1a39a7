using System.Globalization;
using Dapper;
using Npgsql;

namespace RhythmFlow.Dashboard;

/// <summary>
/// The dashboard's reads, all parameterized and all from schema <c>marts</c>. Without a state filter each chart
/// reads its dashboard aggregate (agg_*); the aggregates have no state column, so with a state filter the same
/// numbers are computed from the facts (fct_streams, fct_page_views, fct_sessions) joined to dim_locations, with the
/// definitions of the aggregates (a user-day is int_user_days' logic, restricted to the state).
/// </summary>
public sealed class DashboardQueries(NpgsqlDataSource marts)
{
    public const int TopN = 10;

    /// <summary>Every mart the dashboard reads; when one is missing the page shows how to build them.</summary>
    private static readonly string[] MartsRead =
    [
        "agg_daily_users", "agg_hourly_activity", "agg_activity_by_state", "agg_daily_top_songs", "agg_daily_top_artists",
        "agg_daily_users_by_gender_level", "agg_conversion_funnel", "agg_churn", "fct_streams", "fct_page_views",
        "fct_sessions", "dim_locations", "dim_users", "dim_songs", "dim_artists",
    ];

    // int_user_days restricted to one state's events, for the days from @fromKey to @toKey.
    private const string StateUserDays = """
        with user_events as (
            select
                pv.user_id,
                cast(pv.event_at as date) as date_day,
                pv.level,
                pv.page,
                row_number() over (
                    partition by pv.user_id, cast(pv.event_at as date)
                    order by pv.event_at desc, pv.session_id desc, pv.item_in_session desc
                ) as position_from_end
            from marts.fct_page_views as pv
            inner join marts.dim_locations as l on l.location_key = pv.location_key
            where pv.user_id is not null and l.state_code = @state and pv.date_key between @fromKey and @toKey
        ),
        user_days as (
            select
                user_id,
                date_day,
                max(case when position_from_end = 1 then level end) as level_at_end_of_day,
                bool_or(level = 'free') as was_free,
                bool_or(level = 'paid') as was_paid,
                bool_or(page = 'Upgrade') as visited_upgrade,
                bool_or(page = 'Submit Upgrade') as upgraded,
                bool_or(page = 'Submit Downgrade') as downgraded,
                bool_or(page = 'Cancellation Confirmation') as cancelled
            from user_events
            group by user_id, date_day
        ),
        profiles as (
            select user_id, max(gender) as gender, max(registered_at) as registered_at
            from marts.dim_users
            group by user_id
        )
        """;

    public async Task<DashboardMeta> MetaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await marts.OpenConnectionAsync(cancellationToken);
        var present = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from unnest(@names) as n where to_regclass('marts.' || quote_ident(n)) is not null",
            new { names = MartsRead },
            cancellationToken: cancellationToken));
        if (present < MartsRead.Length)
        {
            return new DashboardMeta(false, [], []);
        }

        var days = await connection.QueryAsync<string>(new CommandDefinition(
            "select to_char(date_day, 'YYYY-MM-DD') from marts.agg_daily_users order by date_day", cancellationToken: cancellationToken));
        var states = await connection.QueryAsync<StateName>(new CommandDefinition(
            """
            select distinct state_code as code, state_name as name
            from marts.dim_locations
            where state_code is not null and state_name <> 'Unknown'
            order by name
            """,
            cancellationToken: cancellationToken));
        return new DashboardMeta(true, [.. days], [.. states]);
    }

    public async Task<Scorecards> ScorecardsAsync(DashboardFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await marts.OpenConnectionAsync(cancellationToken);
        var parameters = Parameters(filter, filter.Date);
        var streams = await connection.QuerySingleAsync<(long Today, long Previous)>(new CommandDefinition(
            filter.State is null
                ? """
                  select
                      coalesce(sum(streams) filter (where date_day = cast(@day as date)), 0)::bigint,
                      coalesce(sum(streams) filter (where date_day = cast(@previous as date)), 0)::bigint
                  from marts.agg_hourly_activity
                  where date_day in (cast(@day as date), cast(@previous as date))
                  """
                : """
                  select
                      count(*) filter (where f.date_key = @dateKey)::bigint,
                      count(*) filter (where f.date_key = @previousKey)::bigint
                  from marts.fct_streams as f
                  inner join marts.dim_locations as l on l.location_key = f.location_key
                  where f.date_key in (@dateKey, @previousKey) and l.state_code = @state
                  """,
            parameters,
            cancellationToken: cancellationToken));
        var users = await connection.QuerySingleAsync<(long Active, long New, double? PaidShare)>(new CommandDefinition(
            filter.State is null
                ? """
                  select coalesce(max(active_users), 0)::bigint, coalesce(max(new_users), 0)::bigint, max(paid_share)::float8
                  from marts.agg_daily_users
                  where date_day = cast(@day as date)
                  """
                : StateUserDays + """

                  select
                      count(*)::bigint,
                      count(*) filter (where cast(p.registered_at as date) = d.date_day)::bigint,
                      (cast(count(*) filter (where d.level_at_end_of_day = 'paid') as float8) / nullif(count(*), 0))::float8
                  from user_days as d
                  left join profiles as p on p.user_id = d.user_id
                  where d.date_day = cast(@day as date)
                  """,
            parameters,
            cancellationToken: cancellationToken));
        var sessions = await connection.QuerySingleAsync<(long Count, double? Median)>(new CommandDefinition(
            $"""
             select count(*)::bigint, (percentile_cont(0.5) within group (order by s.duration_seconds))::float8
             from marts.fct_sessions as s
             {StateJoin("s")}
             where s.date_key = @dateKey
             """,
            parameters,
            cancellationToken: cancellationToken));
        return new Scorecards(
            Format(filter.Date),
            Format(filter.PreviousDate),
            streams.Today,
            streams.Previous,
            streams.Previous == 0 ? null : ((double)streams.Today / streams.Previous) - 1,
            users.Active,
            users.New,
            users.PaidShare,
            sessions.Count,
            sessions.Median);
    }

    /// <summary>Activity of every state on the day; the map always shows all states (the state filter only highlights).</summary>
    public async Task<IReadOnlyList<StateActivity>> StatesAsync(DashboardFilter filter, CancellationToken cancellationToken) =>
        await QueryAsync<StateActivity>(
            """
            select state_code as statecode, state_name as statename, streams::bigint, listeners::bigint
            from marts.agg_activity_by_state
            where date_day = cast(@day as date) and state_code is not null
            order by streams desc, state_code
            """,
            filter,
            filter.Date,
            cancellationToken);

    public async Task<IReadOnlyList<TopSong>> TopSongsAsync(DashboardFilter filter, CancellationToken cancellationToken) =>
        await QueryAsync<TopSong>(
            filter.State is null
                ? """
                  select song_rank::bigint as rank, song_title as songtitle, artist_name as artistname, streams::bigint
                  from marts.agg_daily_top_songs
                  where date_day = cast(@day as date) and song_rank <= @top
                  order by song_rank
                  """
                : """
                  select
                      row_number() over (order by count(*) desc, s.artist_name, s.song_title)::bigint as rank,
                      s.song_title as songtitle,
                      s.artist_name as artistname,
                      count(*)::bigint as streams
                  from marts.fct_streams as f
                  inner join marts.dim_locations as l on l.location_key = f.location_key
                  inner join marts.dim_songs as s on s.song_key = f.song_key
                  where f.date_key = @dateKey and l.state_code = @state
                  group by s.song_key, s.song_title, s.artist_name
                  order by rank
                  limit @top
                  """,
            filter,
            filter.Date,
            cancellationToken);

    public async Task<IReadOnlyList<TopArtist>> TopArtistsAsync(DashboardFilter filter, CancellationToken cancellationToken) =>
        await QueryAsync<TopArtist>(
            filter.State is null
                ? """
                  select artist_rank::bigint as rank, artist_name as artistname, streams::bigint
                  from marts.agg_daily_top_artists
                  where date_day = cast(@day as date) and artist_rank <= @top
                  order by artist_rank
                  """
                : """
                  select
                      row_number() over (order by count(*) desc, a.artist_name)::bigint as rank,
                      a.artist_name as artistname,
                      count(*)::bigint as streams
                  from marts.fct_streams as f
                  inner join marts.dim_locations as l on l.location_key = f.location_key
                  inner join marts.dim_artists as a on a.artist_key = f.artist_key
                  where f.date_key = @dateKey and l.state_code = @state
                  group by a.artist_key, a.artist_name
                  order by rank
                  limit @top
                  """,
            filter,
            filter.Date,
            cancellationToken);

    public async Task<IReadOnlyList<GenderLevel>> GenderLevelAsync(DashboardFilter filter, CancellationToken cancellationToken) =>
        await QueryAsync<GenderLevel>(
            filter.State is null
                ? """
                  select gender, level, active_users::bigint as activeusers
                  from marts.agg_daily_users_by_gender_level
                  where date_day = cast(@day as date)
                  order by gender, level
                  """
                : StateUserDays + """

                  select coalesce(p.gender, 'Unknown') as gender, d.level_at_end_of_day as level, count(*)::bigint as activeusers
                  from user_days as d
                  left join profiles as p on p.user_id = d.user_id
                  where d.date_day = cast(@day as date)
                  group by 1, 2
                  order by 1, 2
                  """,
            filter,
            filter.Date,
            cancellationToken);

    /// <summary>All 24 hours of the day, zero where nothing was played.</summary>
    public async Task<IReadOnlyList<HourlyStreams>> HourlyAsync(DashboardFilter filter, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(int DateKey, int Hour, long Streams)>(
            filter.State is null
                ? """
                  select
                      (extract(year from date_day) * 10000 + extract(month from date_day) * 100 + extract(day from date_day))::int,
                      hour_of_day::int,
                      streams::bigint
                  from marts.agg_hourly_activity
                  where date_day in (cast(@day as date), cast(@previous as date))
                  """
                : """
                  select f.date_key::int, extract(hour from f.event_at)::int, count(*)::bigint
                  from marts.fct_streams as f
                  inner join marts.dim_locations as l on l.location_key = f.location_key
                  where f.date_key in (@dateKey, @previousKey) and l.state_code = @state
                  group by 1, 2
                  """,
            filter,
            filter.Date,
            cancellationToken);
        var today = DashboardFilter.DateKey(filter.Date);
        var byHour = rows.ToLookup(r => (r.DateKey == today, r.Hour), r => r.Streams);
        return [.. Enumerable.Range(0, 24).Select(h => new HourlyStreams(h, byHour[(true, h)].Sum(), byHour[(false, h)].Sum()))];
    }

    public async Task<ConversionFunnel> FunnelAsync(DashboardFilter filter, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<ConversionFunnel>(
            filter.State is null
                ? """
                  select free_users::bigint as freeusers, upgrade_page_users::bigint as upgradepageusers, upgraded_users::bigint as upgradedusers
                  from marts.agg_conversion_funnel
                  where date_day = cast(@day as date)
                  """
                : StateUserDays + """

                  select
                      count(*) filter (where was_free)::bigint as freeusers,
                      count(*) filter (where was_free and visited_upgrade)::bigint as upgradepageusers,
                      count(*) filter (where upgraded)::bigint as upgradedusers
                  from user_days
                  where date_day = cast(@day as date)
                  """,
            filter,
            filter.Date,
            cancellationToken);
        return rows.SingleOrDefault() ?? new ConversionFunnel(0, 0, 0);
    }

    /// <summary>Conversion and churn per day over <paramref name="days"/> days ending at the selected day.</summary>
    public async Task<IReadOnlyList<DailyTrend>> TrendsAsync(DashboardFilter filter, int days, CancellationToken cancellationToken) =>
        await QueryAsync<DailyTrend>(
            filter.State is null
                ? """
                  select
                      to_char(c.date_day, 'YYYY-MM-DD') as date,
                      c.active_users::bigint as activeusers,
                      f.free_users::bigint as freeusers,
                      f.upgraded_users::bigint as upgradedusers,
                      f.conversion_rate::float8 as conversionrate,
                      c.paid_users::bigint as paidusers,
                      c.downgraded_users::bigint as downgradedusers,
                      c.cancelled_users::bigint as cancelledusers,
                      c.downgrade_rate::float8 as downgraderate,
                      c.churn_rate::float8 as churnrate
                  from marts.agg_churn as c
                  inner join marts.agg_conversion_funnel as f on f.date_day = c.date_day
                  where c.date_day between cast(@from as date) and cast(@day as date)
                  order by c.date_day
                  """
                : StateUserDays + """

                  select
                      to_char(date_day, 'YYYY-MM-DD') as date,
                      count(*)::bigint as activeusers,
                      count(*) filter (where was_free)::bigint as freeusers,
                      count(*) filter (where upgraded)::bigint as upgradedusers,
                      (cast(count(*) filter (where upgraded) as float8) / nullif(count(*) filter (where was_free), 0))::float8 as conversionrate,
                      count(*) filter (where was_paid)::bigint as paidusers,
                      count(*) filter (where downgraded)::bigint as downgradedusers,
                      count(*) filter (where cancelled)::bigint as cancelledusers,
                      (cast(count(*) filter (where downgraded) as float8) / nullif(count(*) filter (where was_paid), 0))::float8 as downgraderate,
                      (cast(count(*) filter (where cancelled) as float8) / count(*))::float8 as churnrate
                  from user_days
                  group by date_day
                  order by date_day
                  """,
            filter,
            filter.Date.AddDays(1 - days),
            cancellationToken);

    private static string StateJoin(string alias) =>
        $"inner join marts.dim_locations as l on l.location_key = {alias}.location_key and (@state::text is null or l.state_code = @state)";

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Every query's parameters: the day and its previous day (as dates and as date keys), the range start and the state.</summary>
    private static DynamicParameters Parameters(DashboardFilter filter, DateOnly from)
    {
        var parameters = new DynamicParameters();
        parameters.Add("day", Format(filter.Date));
        parameters.Add("previous", Format(filter.PreviousDate));
        parameters.Add("from", Format(from));
        parameters.Add("dateKey", DashboardFilter.DateKey(filter.Date));
        parameters.Add("previousKey", DashboardFilter.DateKey(filter.PreviousDate));
        parameters.Add("fromKey", DashboardFilter.DateKey(from < filter.PreviousDate ? from : filter.PreviousDate));
        parameters.Add("toKey", DashboardFilter.DateKey(filter.Date));
        parameters.Add("state", filter.State, System.Data.DbType.String);
        parameters.Add("top", TopN);
        return parameters;
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, DashboardFilter filter, DateOnly from, CancellationToken cancellationToken)
    {
        await using var connection = await marts.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<T>(new CommandDefinition(sql, Parameters(filter, from), cancellationToken: cancellationToken));
        return [.. rows];
    }
}
