{#- One row per page request (eventsim's page_view_events, which include every NextSong), renamed and typed. -#}
with source as (
    select * from {{ source('raw', 'page_view_events') }}
),

renamed as (
    select
        {{ surrogate_key(['session_id', 'item_in_session']) }} as page_view_id,
        session_id,
        item_in_session,
        user_id,
        ts as event_at,
        page,
        auth,
        upper(method) as method,
        status as http_status,
        lower(level) as level,
        nullif(trim(city), '') as city,
        zip,
        upper(trim(state)) as state_code,
        replace(user_agent, '"', '') as user_agent,
        lon as longitude,
        lat as latitude,
        first_name,
        last_name,
        gender,
        registration as registered_at,
        nullif(trim(artist), '') as artist_name,
        nullif(trim(song), '') as song_title,
        cast(duration as {{ dbt.type_float() }}) as duration_seconds,
        kafka_timestamp as loaded_at,
        landing_batch_id
    from source
)

select * from renamed
