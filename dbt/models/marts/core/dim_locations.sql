{#- One row per user location (city, ZIP, state) seen in any event, with the state's name from the seed
    (whose "DC" no longer carries streamify's trailing space). An hourly build folds the changed hours' page views
    into the locations they came from. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ upsert_by('location_key') }}

with page_views as (
    {% if is_hourly_build() %}
    {{ in_changed_hours(ref('stg_events__page_views')) }}
    {% else %}
    select * from {{ ref('stg_events__page_views') }}
    {% endif %}
),

locations as (
    select
        {{ surrogate_key(['city', 'zip', 'state_code']) }} as location_key,
        city,
        zip,
        state_code,
        max(latitude) as latitude,
        max(longitude) as longitude
    from page_views
    group by city, zip, state_code
)

select
    locations.location_key,
    locations.city,
    locations.zip,
    locations.state_code,
    coalesce(states.state_name, 'Unknown') as state_name,
    {% if is_hourly_build() %}
    {{ greater_of('locations.latitude', 'existing.latitude') }} as latitude,
    {{ greater_of('locations.longitude', 'existing.longitude') }} as longitude
    {% else %}
    locations.latitude,
    locations.longitude
    {% endif %}
from locations
left join {{ ref('state_codes') }} as states
    on locations.state_code = states.state_code
{% if is_hourly_build() %}
left join {{ this }} as existing on locations.location_key = existing.location_key
{% endif %}
