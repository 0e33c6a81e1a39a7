{#- The dashboard's "Chart Busters": the most played songs of each UTC day, ranked (ties broken by name), from the
    day's per-song totals in int_chart_days. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ recompute_by('date_day', 'date') }}

with ranked as (
    select
        daily.date_day,
        daily.member_key as song_key,
        songs.song_title,
        songs.artist_name,
        daily.streams,
        daily.listeners,
        row_number() over (
            partition by daily.date_day
            order by daily.streams desc, songs.artist_name, songs.song_title
        ) as song_rank
    from {{ ref('int_chart_days') }} as daily
    inner join {{ ref('dim_songs') }} as songs on daily.member_key = songs.song_key
    where daily.chart = 'song'
    {% if is_hourly_build() %}
        and {{ on_changed_days('daily.date_day') }}
    {% endif %}
)

select * from ranked
where song_rank <= {{ var('top_n') }}
