{#- One row per session. Incremental: a run recomputes every session that has an event in the changed hours (an
    hourly build) or in the incremental window (a manual one), from all of that session's events, so sessions
    spanning hours come out whole. -#}
-- depends_on: {{ ref('stg_events__page_views') }}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    indexes=[{'columns': ['session_id'], 'unique': true}],
    on_schema_change='fail'
) }}

{% if is_hourly_build() %}
with touched_sessions as (
    select distinct session_id
    from ({{ in_changed_hours(ref('stg_events__page_views')) }}) as changed_page_views
),

{#- A touched session's events start no earlier than its modelled start or the first changed hour, so only that
    stretch of page views is read (PostgreSQL prunes the hourly raw partitions before it at run time). -#}
first_event as (
    select {{ lesser_of(
        '(select min(started_at) from ' ~ this ~ ' where session_id in (select session_id from touched_sessions))',
        '(select min(event_hour) from ' ~ ref('int_changed_hours') ~ ')'
    ) }} as event_at
),

sessions as (
    {{ roll_up_sessions(
        '(select * from ' ~ ref('stg_events__page_views')
        ~ ' where event_at >= (select event_at from first_event)'
        ~ ' and session_id in (select session_id from touched_sessions)) as touched_page_views'
    ) }}
)
{% else %}
with sessions as (
    select * from {{ ref('int_sessions_rolled_up') }}
    {% if is_incremental() %}
    where session_id in (
        select session_id
        from {{ ref('stg_events__page_views') }}
        where {{ incremental_window(this_event_column='ended_at') }}
    )
    {% endif %}
)
{% endif %}

select
    session_id,
    user_id,
    started_at,
    ended_at,
    {{ date_key(utc_date('started_at')) }} as date_key,
    duration_seconds,
    page_views,
    songs_played,
    level_at_start,
    level_at_end,
    location_key,
    converted,
    downgraded,
    churned,
    loaded_at
from sessions
