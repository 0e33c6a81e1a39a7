{#- The dashboard's "User activity per state" map: streams and listeners per UTC day and state. The day's streams are
    first counted per location and user, so the dimensions join a few rows per listener instead of every stream. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

with listener_locations as (
    select
        date_key,
        location_key,
        user_id,
        count(*) as streams
    from {{ ref('fct_streams') }}
    {% if is_hourly_build() %}
    where {{ on_changed_days('date_key') }}
    {% endif %}
    group by date_key, location_key, user_id
)

select
    dates.date_day,
    locations.state_code,
    locations.state_name,
    cast(sum(listener_locations.streams) as {{ dbt.type_bigint() }}) as streams,
    count(distinct listener_locations.user_id) as listeners
from listener_locations
inner join {{ ref('dim_dates') }} as dates on listener_locations.date_key = dates.date_key
inner join {{ ref('dim_locations') }} as locations on listener_locations.location_key = locations.location_key
group by dates.date_day, locations.state_code, locations.state_name
