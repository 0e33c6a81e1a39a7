{#- One row per user location (city, ZIP, state) seen in any event, with the state's name from the seed
    (whose "DC" no longer carries streamify's trailing space). -#}
with locations as (
    select
        city,
        zip,
        state_code,
        max(latitude) as latitude,
        max(longitude) as longitude
    from {{ ref('stg_events__page_views') }}
    group by city, zip, state_code
)

select
    {{ surrogate_key(['locations.city', 'locations.zip', 'locations.state_code']) }} as location_key,
    locations.city,
    locations.zip,
    locations.state_code,
    coalesce(states.state_name, 'Unknown') as state_name,
    locations.latitude,
    locations.longitude
from locations
left join {{ ref('state_codes') }} as states
    on locations.state_code = states.state_code
