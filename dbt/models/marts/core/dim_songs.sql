{#- One row per song the simulator played, keyed by (artist, title). The simulator's catalog is the source, so
    the same (artist, title) with two catalog durations is still one song: facts never fan out on it. -#}
select
    {{ surrogate_key(['artist_name', 'song_title']) }} as song_key,
    {{ surrogate_key(['artist_name']) }} as artist_key,
    song_title,
    artist_name,
    max(duration_seconds) as duration_seconds,
    min(event_at) as first_played_at
from {{ ref('stg_events__listens') }}
group by artist_name, song_title
