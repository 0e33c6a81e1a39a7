{#- One row per user and UTC day with activity: the user's profile, the level at the day's last event, and
    which subscription pages the user reached that day. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

with user_events as (
    select
        user_id,
        {{ utc_date('event_at') }} as date_day,
        event_at,
        session_id,
        item_in_session,
        level,
        page,
        gender,
        registered_at,
        row_number() over (
            partition by user_id, {{ utc_date('event_at') }}
            order by event_at desc, session_id desc, item_in_session desc
        ) as position_from_end
    from (
        {% if is_hourly_build() %}
        {{ in_changed_days(ref('stg_events__page_views')) }}
        {% else %}
        select * from {{ ref('stg_events__page_views') }}
        {% endif %}
    ) as page_views
    where user_id is not null
)

select
    user_id,
    date_day,
    max(gender) as gender,
    max(registered_at) as registered_at,
    max(case when position_from_end = 1 then level end) as level_at_end_of_day,
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
group by user_id, date_day
