{#- One row per artist name played (the exact name, so two spellings are two artists and neither doubles the other). -#}
select
    {{ surrogate_key(['artist_name']) }} as artist_key,
    artist_name,
    count(distinct song_title) as song_count,
    min(event_at) as first_played_at
from {{ ref('stg_events__listens') }}
group by artist_name
