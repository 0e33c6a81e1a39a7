{#- The free-to-paid funnel per UTC day: users on the free level, those who opened the Upgrade page, and those
    who submitted an upgrade. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    date_day,
    sum(case when was_free then 1 else 0 end) as free_users,
    sum(case when was_free and visited_upgrade then 1 else 0 end) as upgrade_page_users,
    sum(case when upgraded then 1 else 0 end) as upgraded_users,
    {{ dbt.safe_divide(
        "cast(sum(case when upgraded then 1 else 0 end) as " ~ dbt.type_float() ~ ")",
        "sum(case when was_free then 1 else 0 end)"
    ) }} as conversion_rate
from {{ ref('int_user_days') }}
{% if is_hourly_build() %}
where {{ on_changed_days('date_day') }}
{% endif %}
group by date_day
