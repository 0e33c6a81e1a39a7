{#- The daily charts' totals: one row per UTC day, chart and member with the day's streams and distinct listeners,
    summed from int_chart_hours. An hourly build recomputes the members its recomputed hours played, each from its
    at most 24 hours of the day; the charts then rank one row per member instead of every stream of the day. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized='incremental',
    unique_key=['date_day', 'chart', 'member_key'],
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    partition_by={'field': 'date_day', 'data_type': 'date'},
    cluster_by=['chart'],
    indexes=[{'columns': ['date_day', 'chart', 'member_key'], 'unique': true}],
    on_schema_change='fail'
) }}

with chart_hours as (
    {% if is_hourly_build() %}
    select chart_hours.*
    from (
        select distinct date_day, chart, member_key
        from {{ ref('int_chart_hours') }}
        where event_hour >= (select min(event_hour) from {{ ref('int_changed_hours') }})
            and event_hour < (select {{ shift_hours(dbt.date_trunc('day', 'max(event_hour)'), 24) }} from {{ ref('int_changed_hours') }})
            and {{ utc_date('event_hour') }} in (select {{ utc_date('event_hour') }} from {{ ref('int_changed_hours') }})
    ) as recomputed
    inner join {{ ref('int_chart_hours') }} as chart_hours
        on chart_hours.date_day = recomputed.date_day
        and chart_hours.chart = recomputed.chart
        and chart_hours.member_key = recomputed.member_key
    {% else %}
    select * from {{ ref('int_chart_hours') }}
    {% endif %}
)

select
    date_day,
    chart,
    member_key,
    max(state_code) as state_code,
    cast(sum(streams) as {{ dbt.type_bigint() }}) as streams,
    cast(sum(new_listeners) as {{ dbt.type_bigint() }}) as listeners
from chart_hours
group by date_day, chart, member_key
