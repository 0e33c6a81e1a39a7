{#- One row per artist name played (the exact name, so two spellings are two artists and neither doubles the other),
    rolled up from dim_songs (one row per distinct title of the artist). An hourly build recomputes the artists the
    changed hours' listens played. -#}
-- depends_on: {{ ref('int_changed_hours') }}
-- depends_on: {{ ref('stg_events__listens') }}
{{ upsert_by('artist_key') }}

select
    {{ surrogate_key(['artist_name']) }} as artist_key,
    artist_name,
    count(song_title) as song_count,
    min(first_played_at) as first_played_at
from {{ ref('dim_songs') }}
{% if is_hourly_build() %}
where artist_key in (
    select {{ surrogate_key(['artist_name']) }}
    from ({{ in_changed_hours(ref('stg_events__listens')) }}) as changed_listens
)
{% endif %}
group by artist_name
