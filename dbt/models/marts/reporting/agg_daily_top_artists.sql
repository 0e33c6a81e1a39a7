{#- The dashboard's "Top Artists": the most played artists of each UTC day, ranked (ties broken by name), from the
    day's per-artist totals in int_chart_days. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

with ranked as (
    select
        daily.date_day,
        daily.member_key as artist_key,
        artists.artist_name,
        daily.streams,
        daily.listeners,
        row_number() over (
            partition by daily.date_day
            order by daily.streams desc, artists.artist_name
        ) as artist_rank
    from {{ ref('int_chart_days') }} as daily
    inner join {{ ref('dim_artists') }} as artists on daily.member_key = artists.artist_key
    where daily.chart = 'artist'
    {% if is_hourly_build() %}
        and {{ on_changed_days('daily.date_day') }}
    {% endif %}
)

select * from ranked
where artist_rank <= {{ var('top_n') }}
