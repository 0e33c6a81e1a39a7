{#- One row per user and UTC hour with activity: what int_user_days needs of the hour (profile, the hour's last event
    and its level, the subscription pages reached, counts). An hourly build recomputes the changed hours only, so a
    user's day is then folded from at most 24 of these rows instead of re-reading the day's events. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('event_hour', 'timestamp', extra_indexes=[{'columns': ['user_id', 'date_day']}]) }}

with user_events as (
    select
        user_id,
        {{ dbt.date_trunc('hour', 'event_at') }} as event_hour,
        event_at,
        level,
        page,
        gender,
        registered_at,
        row_number() over (
            partition by user_id, {{ dbt.date_trunc('hour', 'event_at') }}
            order by event_at desc, session_id desc, item_in_session desc
        ) as position_from_end
    from (
        {% if is_hourly_build() %}
        {{ in_changed_hours(ref('stg_events__page_views')) }}
        {% else %}
        select * from {{ ref('stg_events__page_views') }}
        {% endif %}
    ) as page_views
    where user_id is not null
)

select
    event_hour,
    {{ utc_date('event_hour') }} as date_day,
    user_id,
    max(gender) as gender,
    max(registered_at) as registered_at,
    max(case when position_from_end = 1 then level end) as level_at_end_of_hour,
    {{ dbt.bool_or("level = 'free'") }} as was_free,
    {{ dbt.bool_or("level = 'paid'") }} as was_paid,
    {{ dbt.bool_or("page = 'Upgrade'") }} as visited_upgrade,
    {{ dbt.bool_or("page = 'Submit Upgrade'") }} as upgraded,
    {{ dbt.bool_or("page = 'Downgrade'") }} as visited_downgrade,
    {{ dbt.bool_or("page = 'Submit Downgrade'") }} as downgraded,
    {{ dbt.bool_or("page = 'Cancellation Confirmation'") }} as cancelled,
    sum(case when page = 'NextSong' then 1 else 0 end) as songs_played,
    count(*) as page_views
from user_events
group by user_id, event_hour
