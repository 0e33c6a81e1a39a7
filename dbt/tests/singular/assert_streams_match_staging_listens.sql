{#- Every listen in staging is exactly one stream in the facts, hour by hour: no fan-out from duplicate songs or
    artists, no listen lost by an incremental run. Returns the hours where the counts differ; an hourly build checks the hours
    from its data interval on. -#}
with staged as (
    select {{ dbt.date_trunc('hour', 'event_at') }} as event_hour, count(*) as listens
    from {{ ref('stg_events__listens') }}
    where event_at >= cast('{{ var("data_interval_start", "1900-01-01") }}' as {{ dbt.type_timestamp() }})
    group by 1
),

modelled as (
    select event_hour, count(*) as streams
    from {{ ref('fct_streams') }}
    where event_hour >= cast('{{ var("data_interval_start", "1900-01-01") }}' as {{ dbt.type_timestamp() }})
    group by 1
)

select
    coalesce(staged.event_hour, modelled.event_hour) as event_hour,
    staged.listens,
    modelled.streams
from staged
full outer join modelled on staged.event_hour = modelled.event_hour
where staged.listens is null or modelled.streams is null or staged.listens <> modelled.streams
