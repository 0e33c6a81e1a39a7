{#- The dashboard's "Top Artists": the most played artists of each UTC day, ranked (ties broken by name). -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

with daily as (
    select
        dates.date_day,
        streams.artist_key,
        count(*) as streams,
        count(distinct streams.user_id) as listeners
    from {{ ref('fct_streams') }} as streams
    inner join {{ ref('dim_dates') }} as dates on streams.date_key = dates.date_key
    {% if is_hourly_build() %}
    where {{ on_changed_days('streams.date_key') }}
    {% endif %}
    group by dates.date_day, streams.artist_key
),

ranked as (
    select
        daily.date_day,
        daily.artist_key,
        artists.artist_name,
        daily.streams,
        daily.listeners,
        row_number() over (
            partition by daily.date_day
            order by daily.streams desc, artists.artist_name
        ) as artist_rank
    from daily
    inner join {{ ref('dim_artists') }} as artists on daily.artist_key = artists.artist_key
)

select * from ranked
where artist_rank <= {{ var('top_n') }}
