{#- One row per login attempt (eventsim's auth_events), renamed and typed. -#}
with source as (
    select * from {{ source('raw', 'auth_events') }}
),

renamed as (
    select
        {{ surrogate_key(['session_id', 'item_in_session']) }} as auth_id,
        session_id,
        item_in_session,
        user_id,
        ts as event_at,
        success as is_success,
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
        kafka_timestamp as loaded_at,
        landing_batch_id
    from source
)

select * from renamed
