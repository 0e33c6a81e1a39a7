{#- The dashboard's "User Activity" line: per UTC hour, page views, streams, active users and sessions. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('event_hour', 'timestamp') }}

with page_view_hours as (
    select
        event_hour,
        count(*) as page_views,
        count(distinct user_id) as active_users,
        count(distinct session_id) as sessions
    from {{ ref('fct_page_views') }}
    {% if is_hourly_build() %}
    where {{ on_changed_hours('event_hour') }}
    {% endif %}
    group by event_hour
),

stream_hours as (
    select
        event_hour,
        count(*) as streams,
        count(distinct user_id) as listeners
    from {{ ref('fct_streams') }}
    {% if is_hourly_build() %}
    where {{ on_changed_hours('event_hour') }}
    {% endif %}
    group by event_hour
)

select
    page_view_hours.event_hour,
    {{ utc_date('page_view_hours.event_hour') }} as date_day,
    cast(extract(hour from page_view_hours.event_hour) as {{ dbt.type_int() }}) as hour_of_day,
    coalesce(stream_hours.streams, 0) as streams,
    coalesce(stream_hours.listeners, 0) as listeners,
    page_view_hours.active_users,
    page_view_hours.sessions,
    page_view_hours.page_views
from page_view_hours
left join stream_hours
    on page_view_hours.event_hour = stream_hours.event_hour
