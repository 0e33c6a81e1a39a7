{#- One row per session. Incremental: a run recomputes every session that has an event in the changed hours (an
    hourly build) or in the incremental window (a manual one), from all of that session's events, so sessions
    spanning hours come out whole. Indexed on ended_at for the tests of an hourly build, which read the sessions
    ending from its interval on. -#}
-- depends_on: {{ ref('stg_events__page_views') }}
-- depends_on: {{ ref('fct_page_views') }}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    indexes=[{'columns': ['session_id'], 'unique': true}, {'columns': ['ended_at']}],
    on_schema_change='fail'
) }}

{% if is_hourly_build() %}
{#- A touched session is rolled up again from its page views in fct_page_views (already updated for the changed hours),
    found by session_id: a session that began hours earlier costs its own events, not every event since it began. -#}
with touched_sessions as (
    select distinct session_id
    from {{ ref('fct_page_views') }}
    where {{ on_changed_hours('event_hour') }}
),

sessions as (
    {{ roll_up_sessions(
        '(select * from ' ~ ref('fct_page_views')
        ~ ' where session_id in (select session_id from touched_sessions)) as touched_page_views',
        with_location_key=true
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
