{#- One row per session. Incremental: a run recomputes every session that has an event in the incremental window,
    from all of that session's events, so sessions spanning hours come out whole. -#}
-- depends_on: {{ ref('stg_events__page_views') }}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    indexes=[{'columns': ['session_id'], 'unique': true}],
    on_schema_change='fail'
) }}

with sessions as (
    select * from {{ ref('int_sessions_rolled_up') }}
    {% if is_incremental() %}
    where session_id in (
        {% if is_hourly_build() %}
        select session_id from ({{ in_changed_hours(ref('stg_events__page_views')) }}) as changed_page_views
        {% else %}
        select session_id
        from {{ ref('stg_events__page_views') }}
        where {{ incremental_window(this_event_column='ended_at') }}
        {% endif %}
    )
    {% endif %}
)

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
