{#- One row per song the simulator played, keyed by (artist, title). The simulator's catalog is the source, so
    the same (artist, title) with two catalog durations is still one song: facts never fan out on it.
    An hourly build folds the changed hours' listens into the songs they played (max and min are idempotent, so a
    rebuilt hour counts once). -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ upsert_by('song_key', extra_indexes=[{'columns': ['artist_key']}]) }}

with listens as (
    {% if is_hourly_build() %}
    {{ in_changed_hours(ref('stg_events__listens')) }}
    {% else %}
    select * from {{ ref('stg_events__listens') }}
    {% endif %}
),

songs as (
    select
        {{ surrogate_key(['artist_name', 'song_title']) }} as song_key,
        {{ surrogate_key(['artist_name']) }} as artist_key,
        song_title,
        artist_name,
        max(duration_seconds) as duration_seconds,
        min(event_at) as first_played_at
    from listens
    group by artist_name, song_title
)

{% if is_hourly_build() %}
select
    songs.song_key,
    songs.artist_key,
    songs.song_title,
    songs.artist_name,
    {{ greater_of('songs.duration_seconds', 'existing.duration_seconds') }} as duration_seconds,
    {{ lesser_of('songs.first_played_at', 'existing.first_played_at') }} as first_played_at
from songs
left join {{ this }} as existing on songs.song_key = existing.song_key
{% else %}
select * from songs
{% endif %}
