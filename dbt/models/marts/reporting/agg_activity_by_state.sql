{#- The dashboard's "User activity per state" map: streams and listeners per UTC day and state, from the day's
    per-state totals in int_chart_days; the state's name comes from the seed, as in dim_locations. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    daily.date_day,
    daily.state_code,
    coalesce(states.state_name, 'Unknown') as state_name,
    daily.streams,
    daily.listeners
from {{ ref('int_chart_days') }} as daily
left join {{ ref('state_codes') }} as states on daily.state_code = states.state_code
where daily.chart = 'state'
{% if is_hourly_build() %}
    and {{ on_changed_days('daily.date_day') }}
{% endif %}
