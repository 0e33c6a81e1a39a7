{#- One row per page request, with the keys to every dimension (no user key for guests). Incremental like fct_streams.
    Indexed on session_id because an hourly build of fct_sessions reads the touched sessions' page views here. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key='page_view_id',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    partition_by={'field': 'event_hour', 'data_type': 'timestamp', 'granularity': 'hour'},
    cluster_by=['session_id'],
    indexes=[{'columns': ['page_view_id'], 'unique': true}, {'columns': ['event_hour']}, {'columns': ['session_id']}],
    on_schema_change='fail'
) }}

with page_views as (
    {% if is_hourly_build() %}
    {{ in_changed_hours_or_rekeyed(ref('stg_events__page_views')) }}
    {% else %}
    select * from {{ ref('stg_events__page_views') }}
    {% if is_incremental() %}
    where {{ incremental_window() }}
    {% endif %}
    {% endif %}
),

users as (
    select user_key, user_id, valid_from, valid_to from {{ ref('dim_users') }}
)

select
    page_views.page_view_id,
    page_views.event_at,
    {{ dbt.date_trunc('hour', 'page_views.event_at') }} as event_hour,
    {{ date_key(utc_date('page_views.event_at')) }} as date_key,
    page_views.user_id,
    users.user_key,
    {{ surrogate_key(['page_views.city', 'page_views.zip', 'page_views.state_code']) }} as location_key,
    page_views.session_id,
    page_views.item_in_session,
    page_views.page,
    page_views.auth,
    page_views.method,
    page_views.http_status,
    page_views.level,
    page_views.loaded_at
from page_views
left join users
    on page_views.user_id = users.user_id
    and page_views.event_at >= users.valid_from
    and (users.valid_to is null or page_views.event_at < users.valid_to)
