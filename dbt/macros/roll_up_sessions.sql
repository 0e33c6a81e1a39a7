{#- One row per session, rolled up from the page views in page_views (a relation or an aliased subquery): first and
    last event, pages, songs, levels and outcomes. int_sessions_rolled_up rolls up every session from staging; an
    hourly build of fct_sessions only the sessions it touched, from fct_page_views, whose location_key column is
    the same key (with_location_key=true). -#}
{% macro roll_up_sessions(page_views, with_location_key=false) -%}
with page_views as (
    select
        *,
        row_number() over (partition by session_id order by item_in_session, event_at) as position_from_start,
        row_number() over (partition by session_id order by item_in_session desc, event_at desc) as position_from_end
    from {{ page_views }}
)

select
    session_id,
    max(user_id) as user_id,
    min(event_at) as started_at,
    max(event_at) as ended_at,
    {{ dbt.datediff('min(event_at)', 'max(event_at)', 'second') }} as duration_seconds,
    count(*) as page_views,
    sum(case when page = 'NextSong' then 1 else 0 end) as songs_played,
    max(case when position_from_start = 1 then level end) as level_at_start,
    max(case when position_from_end = 1 then level end) as level_at_end,
    max(case when position_from_start = 1 then {{ 'location_key' if with_location_key else surrogate_key(['city', 'zip', 'state_code']) }} end) as location_key,
    {{ dbt.bool_or("page = 'Submit Upgrade'") }} as converted,
    {{ dbt.bool_or("page = 'Submit Downgrade'") }} as downgraded,
    {{ dbt.bool_or("page = 'Cancellation Confirmation'") }} as churned,
    max(loaded_at) as loaded_at
from page_views
group by session_id
{%- endmacro %}
