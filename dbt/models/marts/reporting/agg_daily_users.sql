{#- Users per UTC day: active, newly registered, and paid share (level at the day's last event). -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    date_day,
    count(*) as active_users,
    sum(case when {{ utc_date('registered_at') }} = date_day then 1 else 0 end) as new_users,
    sum(case when level_at_end_of_day = 'paid' then 1 else 0 end) as paid_users,
    sum(case when level_at_end_of_day = 'free' then 1 else 0 end) as free_users,
    {{ dbt.safe_divide(
        "cast(sum(case when level_at_end_of_day = 'paid' then 1 else 0 end) as " ~ dbt.type_float() ~ ")",
        "count(*)"
    ) }} as paid_share,
    sum(case when gender = 'M' then 1 else 0 end) as male_users,
    sum(case when gender = 'F' then 1 else 0 end) as female_users
from {{ ref('int_user_days') }}
{% if is_hourly_build() %}
where {{ on_changed_days('date_day') }}
{% endif %}
group by date_day
