{#- One row per song played, with the keys to every dimension. Incremental by hour, replacing rows by stream_id: an
    hourly build takes the event hours the transform (re)built (int_changed_hours), plus the later listens of the users
    with events in them, whose user_key moves when a late event moves the start of a level period (dim_users); a
    manual build takes the hours within the lookback and anything that arrived since the last run. Indexed on
    (user_id, date_key) for int_chart_hours, which looks up the day's earlier plays of an hour's listeners. -#}
-- depends_on: {{ ref('int_changed_hours') }}
-- depends_on: {{ ref('stg_events__page_views') }}
{{ config(
    materialized='incremental',
    unique_key='stream_id',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    partition_by={'field': 'event_hour', 'data_type': 'timestamp', 'granularity': 'hour'},
    cluster_by=['user_id'],
    indexes=[{'columns': ['stream_id'], 'unique': true}, {'columns': ['event_hour']}, {'columns': ['date_key']}, {'columns': ['user_id', 'date_key']}],
    on_schema_change='fail'
) }}

with listens as (
    {% if is_hourly_build() %}
    {{ in_changed_hours_or_rekeyed(ref('stg_events__listens')) }}
    {% else %}
    select * from {{ ref('stg_events__listens') }}
    {% if is_incremental() %}
    where {{ incremental_window() }}
    {% endif %}
    {% endif %}
),

users as (
    select user_key, user_id, valid_from, valid_to from {{ ref('dim_users') }}
)

select
    listens.listen_id as stream_id,
    listens.event_at,
    {{ dbt.date_trunc('hour', 'listens.event_at') }} as event_hour,
    {{ date_key(utc_date('listens.event_at')) }} as date_key,
    listens.user_id,
    users.user_key,
    {{ surrogate_key(['listens.artist_name', 'listens.song_title']) }} as song_key,
    {{ surrogate_key(['listens.artist_name']) }} as artist_key,
    {{ surrogate_key(['listens.city', 'listens.zip', 'listens.state_code']) }} as location_key,
    listens.session_id,
    listens.item_in_session,
    listens.level,
    listens.duration_seconds,
    listens.loaded_at
from listens
left join users
    on listens.user_id = users.user_id
    and listens.event_at >= users.valid_from
    and (users.valid_to is null or listens.event_at < users.valid_to)
