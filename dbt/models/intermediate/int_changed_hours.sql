{#- The event hours an hourly build recomputes: every hour the transform (re)built for the build's data interval,
    which is the interval's own hours and each earlier hour it rebuilt for late data (always recorded after the
    interval's first hour). Without the interval vars: every hour ever built. -#}
with builds as (
    {{ hour_builds() }}
)

select
    event_hour,
    max(built_at) as built_at
from builds
{% if var('data_interval_start', none) is not none %}
where built_at >= (
    select min(built_at)
    from builds
    where event_hour >= cast('{{ var("data_interval_start") }}' as {{ dbt.type_timestamp() }})
        and event_hour < cast('{{ var("data_interval_end") }}' as {{ dbt.type_timestamp() }})
)
{% endif %}
group by event_hour
