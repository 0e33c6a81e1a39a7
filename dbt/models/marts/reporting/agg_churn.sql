{#- Churn per UTC day: paid users who downgraded and users who cancelled, against that day's active users. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    date_day,
    count(*) as active_users,
    sum(case when was_paid then 1 else 0 end) as paid_users,
    sum(case when downgraded then 1 else 0 end) as downgraded_users,
    sum(case when cancelled then 1 else 0 end) as cancelled_users,
    {{ dbt.safe_divide(
        "cast(sum(case when downgraded then 1 else 0 end) as " ~ dbt.type_float() ~ ")",
        "sum(case when was_paid then 1 else 0 end)"
    ) }} as downgrade_rate,
    {{ dbt.safe_divide(
        "cast(sum(case when cancelled then 1 else 0 end) as " ~ dbt.type_float() ~ ")",
        "count(*)"
    ) }} as churn_rate
from {{ ref('int_user_days') }}
{% if is_hourly_build() %}
where {{ on_changed_days('date_day') }}
{% endif %}
group by date_day
