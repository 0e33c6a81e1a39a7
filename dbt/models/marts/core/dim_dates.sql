{#- One row per calendar day from the first to the last event: the calendar grows with the data, so no event
    ever falls past its horizon. The weekend is Saturday and Sunday. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ upsert_by('date_key') }}

with bounds as (
    {% if is_hourly_build() %}
    {#- An hourly build widens the calendar it has by the changed hours' days (a few rows, rewritten whole). -#}
    select min(first_day) as first_day, max(last_day) as last_day
    from (
        select min(date_day) as first_day, max(date_day) as last_day from {{ this }}
        union all
        select
            min({{ utc_date('event_at') }}) as first_day,
            max({{ utc_date('event_at') }}) as last_day
        from ({{ in_changed_hours(ref('stg_events__page_views')) }}) as changed_page_views
    ) as both_bounds
    {% else %}
    select
        min({{ utc_date('event_at') }}) as first_day,
        max({{ utc_date('event_at') }}) as last_day
    from {{ ref('stg_events__page_views') }}
    {% endif %}
),

days as (
    {{ day_series('(select first_day from bounds)', '(select last_day from bounds)') }}
)

select
    {{ date_key('date_day') }} as date_key,
    date_day,
    cast(extract(year from date_day) as {{ dbt.type_int() }}) as year,
    cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter,
    cast(extract(month from date_day) as {{ dbt.type_int() }}) as month,
    cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
    {{ iso_day_of_week('date_day') }} as day_of_week,
    {{ iso_week('date_day') }} as week_of_year,
    {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
from days
