{#- The dashboard's "Gender Distribution" and "User Level By Gender": active users per UTC day, gender and level. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    date_day,
    coalesce(gender, 'Unknown') as gender,
    level_at_end_of_day as level,
    count(*) as active_users
from {{ ref('int_user_days') }}
{% if is_hourly_build() %}
where {{ on_changed_days('date_day') }}
{% endif %}
group by date_day, coalesce(gender, 'Unknown'), level_at_end_of_day
