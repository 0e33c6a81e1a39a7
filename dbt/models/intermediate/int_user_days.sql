{#- One row per user and UTC day with activity: the user's profile, the level at the day's last event, and
    which subscription pages the user reached that day, folded from the user's hours (int_user_hours). An hourly build
    recomputes the days of the users active in the changed hours, each from that user's hours of the day. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'date_day'],
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    partition_by={'field': 'date_day', 'data_type': 'date'},
    cluster_by=['user_id'],
    indexes=[{'columns': ['user_id', 'date_day'], 'unique': true}, {'columns': ['date_day']}],
    on_schema_change='fail'
) }}

{% if is_hourly_build() %}
with touched_user_days as (
    select distinct user_id, date_day
    from {{ ref('int_user_hours') }}
    where {{ on_changed_hours('event_hour') }}
),

user_hours as (
    select
        user_hours.*,
        row_number() over (partition by user_hours.user_id, user_hours.date_day order by user_hours.event_hour desc) as position_from_end
    from touched_user_days
    inner join {{ ref('int_user_hours') }} as user_hours
        on touched_user_days.user_id = user_hours.user_id
        and touched_user_days.date_day = user_hours.date_day
)
{% else %}
with user_hours as (
    select
        *,
        row_number() over (partition by user_id, date_day order by event_hour desc) as position_from_end
    from {{ ref('int_user_hours') }}
)
{% endif %}

select
    user_id,
    date_day,
    max(gender) as gender,
    max(registered_at) as registered_at,
    max(case when position_from_end = 1 then level_at_end_of_hour end) as level_at_end_of_day,
    {{ dbt.bool_or('was_free') }} as was_free,
    {{ dbt.bool_or('was_paid') }} as was_paid,
    {{ dbt.bool_or('visited_upgrade') }} as visited_upgrade,
    {{ dbt.bool_or('upgraded') }} as upgraded,
    {{ dbt.bool_or('visited_downgrade') }} as visited_downgrade,
    {{ dbt.bool_or('downgraded') }} as downgraded,
    {{ dbt.bool_or('cancelled') }} as cancelled,
    cast(sum(songs_played) as {{ dbt.type_bigint() }}) as songs_played,
    cast(sum(page_views) as {{ dbt.type_bigint() }}) as page_views
from user_hours
group by user_id, date_day
