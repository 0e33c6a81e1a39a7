{#- The subscription level history of every user as periods: a new period starts at the first event whose level
    differs from the user's previous event. Periods are bounded by event instants (not dates), so an event on the
    day of a level change falls in the period that was valid at that moment. -#}
{{ config(materialized='ephemeral') }}

with user_events as (
    select
        user_id,
        session_id,
        item_in_session,
        event_at,
        level,
        first_name,
        last_name,
        gender,
        registered_at
    from {{ ref('stg_events__page_views') }}
    where user_id is not null
),

flagged as (
    select
        *,
        case
            when level = lag(level) over (partition by user_id order by event_at, session_id, item_in_session) then 0
            else 1
        end as starts_period
    from user_events
),

numbered as (
    select
        *,
        sum(starts_period) over (
            partition by user_id order by event_at, session_id, item_in_session
            rows between unbounded preceding and current row
        ) as period_number
    from flagged
),

periods as (
    select
        user_id,
        period_number,
        min(level) as level,
        min(event_at) as valid_from,
        max(first_name) as first_name,
        max(last_name) as last_name,
        max(gender) as gender,
        max(registered_at) as registered_at
    from numbered
    group by user_id, period_number
)

select
    user_id,
    period_number,
    level,
    valid_from,
    lead(valid_from) over (partition by user_id order by period_number) as valid_to,
    first_name,
    last_name,
    gender,
    registered_at
from periods
