{#- One row per song played (eventsim's listen_events), renamed and typed; no joins, no filters. -#}
with source as (
    select * from {{ source('raw', 'listen_events') }}
),

renamed as (
    select
        {{ surrogate_key(['session_id', 'item_in_session']) }} as listen_id,
        session_id,
        item_in_session,
        user_id,
        ts as event_at,
        nullif(trim(artist), '') as artist_name,
        nullif(trim(song), '') as song_title,
        cast(duration as {{ dbt.type_float() }}) as duration_seconds,
        lower(level) as level,
        auth,
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
        kafka_timestamp as loaded_at,
        landing_batch_id
    from source
)

select * from renamed
