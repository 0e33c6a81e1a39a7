{#- A user's subscription level history as periods, from user_events (a relation or an aliased subquery with user_id,
    event_at, session_id, item_in_session, level and the profile columns): a new period starts at the first event whose
    level differs from the user's previous event, and lasts until the next period starts. Periods are bounded by event
    instants (not dates), so an event on the day of a level change falls in the period that was valid at that moment. -#}
{% macro level_periods(user_events) -%}
with flagged as (
    select
        *,
        case
            when level = lag(level) over (partition by user_id order by event_at, session_id, item_in_session) then 0
            else 1
        end as starts_period
    from {{ user_events }}
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
    level,
    valid_from,
    lead(valid_from) over (partition by user_id order by period_number) as valid_to,
    first_name,
    last_name,
    gender,
    registered_at
from periods
{%- endmacro %}

{#- The logged-in users with page views in the changed hours, each with the first changed hour they have events in.
    Their events before that hour did not change, so neither did their level periods that ended before it: an hourly
    build recomputes their periods from there on (dim_users) and re-keys their facts from there on. -#}
{% macro touched_users() -%}
    select user_id, min({{ dbt.date_trunc('hour', 'event_at') }}) as first_changed_hour
    from ({{ in_changed_hours(ref('stg_events__page_views')) }}) as changed_page_views
    where user_id is not null
    group by user_id
{%- endmacro %}

{#- The rows of a fact's staging model that an hourly build (re)writes: those in the changed hours, and those of the
    touched users from their first changed hour on, whose user row (user_key) can have moved when a late event moved
    the start of a level period. In a build for the newest hour both are the hour's rows. -#}
{% macro in_changed_hours_or_rekeyed(relation) -%}
    select changed_rows.*
    from {{ relation }} as changed_rows
    left join ({{ touched_users() }}) as touched on changed_rows.user_id = touched.user_id
    where changed_rows.event_at >= (select min(event_hour) from {{ ref('int_changed_hours') }})
        and (
            {{ dbt.date_trunc('hour', 'changed_rows.event_at') }} in (select event_hour from {{ ref('int_changed_hours') }})
            or changed_rows.event_at >= touched.first_changed_hour
        )
{%- endmacro %}
