{#- The dashboard's "Gender Distribution" and "User Level By Gender": active users per UTC day, gender and level. -#}
select
    date_day,
    coalesce(gender, 'Unknown') as gender,
    level_at_end_of_day as level,
    count(*) as active_users
from {{ ref('int_user_days') }}
group by date_day, coalesce(gender, 'Unknown'), level_at_end_of_day
