{#- One row per submitted upgrade or downgrade (eventsim's status_change_events), renamed and typed.
    eventsim writes the level *before* the change; the level after it is the other one. -#}
with source as (
    select * from {{ source('raw', 'status_change_events') }}
),

renamed as (
    select
        {{ surrogate_key(['session_id', 'item_in_session']) }} as status_change_id,
        session_id,
        item_in_session,
        user_id,
        ts as event_at,
        auth,
        lower(level) as previous_level,
        case lower(level) when 'free' then 'paid' when 'paid' then 'free' end as new_level,
        case lower(level) when 'free' then 'upgrade' when 'paid' then 'downgrade' end as change_type,
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
