{#- The dashboard's "User activity per state" map: streams and listeners per UTC day and state. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

select
    dates.date_day,
    locations.state_code,
    locations.state_name,
    count(*) as streams,
    count(distinct streams.user_id) as listeners
from {{ ref('fct_streams') }} as streams
inner join {{ ref('dim_dates') }} as dates on streams.date_key = dates.date_key
inner join {{ ref('dim_locations') }} as locations on streams.location_key = locations.location_key
{% if is_hourly_build() %}
where streams.date_key in (select date_key from ({{ changed_days() }}) as changed_days)
{% endif %}
group by dates.date_day, locations.state_code, locations.state_name
