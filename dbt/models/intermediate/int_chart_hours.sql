{#- The daily charts' streams and listeners, kept per UTC hour so that an hourly build adds its hour instead of
    re-reading the day: one row per hour, chart ('song', 'artist' or 'state') and member (its key), with the hour's
    streams and its new listeners (users playing the member for the first time that day). Summed over a day's hours
    they give the day's streams and distinct listeners. An hourly build recomputes the changed hours and, after a
    late hour, the rest of its day (a late first listen makes a later one no longer the first); a listener's earlier
    plays that day are looked up by user in fct_streams. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('event_hour', 'timestamp', extra_indexes=[{'columns': ['date_day', 'chart', 'member_key']}]) }}

with
{% if is_hourly_build() %}
changed_days as (
    select
        {{ utc_date('event_hour') }} as date_day,
        min(event_hour) as first_changed_hour
    from {{ ref('int_changed_hours') }}
    group by {{ utc_date('event_hour') }}
),

recomputed_streams as (
    select streams.event_hour, streams.user_id, streams.date_key
    from {{ ref('fct_streams') }} as streams
    inner join changed_days
        on streams.event_hour >= changed_days.first_changed_hour
        and streams.event_hour < {{ shift_hours(dbt.date_trunc('day', 'changed_days.first_changed_hour'), 24) }}
    where streams.event_hour >= (select min(event_hour) from {{ ref('int_changed_hours') }})
        and streams.event_hour < (select {{ shift_hours(dbt.date_trunc('day', 'max(event_hour)'), 24) }} from {{ ref('int_changed_hours') }})
),

{#- Every stream that day of the users playing in the recomputed hours: what tells a first listen from a repeat. -#}
listener_streams as (
    select streams.*
    from (select distinct user_id, date_key from recomputed_streams) as listener_days
    inner join {{ ref('fct_streams') }} as streams
        on streams.user_id = listener_days.user_id
        and streams.date_key = listener_days.date_key
),
{% else %}
listener_streams as (
    select * from {{ ref('fct_streams') }}
),
{% endif %}

plays as (
    select
        listener_streams.event_hour,
        {{ utc_date('listener_streams.event_hour') }} as date_day,
        listener_streams.user_id,
        listener_streams.song_key,
        listener_streams.artist_key,
        locations.state_code
    from listener_streams
    inner join {{ ref('dim_locations') }} as locations on listener_streams.location_key = locations.location_key
),

members as (
    select event_hour, date_day, user_id, 'song' as chart, song_key as member_key, cast(null as {{ dbt.type_string() }}) as state_code from plays
    union all
    select event_hour, date_day, user_id, 'artist' as chart, artist_key as member_key, cast(null as {{ dbt.type_string() }}) as state_code from plays
    union all
    select event_hour, date_day, user_id, 'state' as chart, {{ surrogate_key(['state_code']) }} as member_key, state_code from plays
),

first_listens as (
    select date_day, user_id, chart, member_key, min(event_hour) as first_hour
    from members
    group by date_day, user_id, chart, member_key
),

hour_members as (
    select
        event_hour,
        date_day,
        chart,
        member_key,
        max(state_code) as state_code,
        count(*) as streams
    from members
    {% if is_hourly_build() %}
    where event_hour in (select event_hour from recomputed_streams)
    {% endif %}
    group by event_hour, date_day, chart, member_key
),

new_listeners as (
    select first_hour as event_hour, chart, member_key, count(*) as new_listeners
    from first_listens
    group by first_hour, chart, member_key
)

select
    hour_members.event_hour,
    hour_members.date_day,
    hour_members.chart,
    hour_members.member_key,
    hour_members.state_code,
    hour_members.streams,
    coalesce(new_listeners.new_listeners, 0) as new_listeners
from hour_members
left join new_listeners
    on hour_members.event_hour = new_listeners.event_hour
    and hour_members.chart = new_listeners.chart
    and hour_members.member_key = new_listeners.member_key
