{#- Type-2 history of each user's subscription level: one row per period, valid from its first event up to
    (not including) the next period's first event; the open period has no valid_to and is the current row.
    An hourly build recomputes the periods of the users with events in the changed hours, from the period each was in
    just before its first changed hour (whose start cannot move: the events before that hour did not change), so a
    late event that starts, ends or moves a period anywhere after it comes out as a full refresh would put it.
    Delete+insert by user_id, because a user's periods can merge or split (BigQuery, whose merge cannot delete the
    rows a user no longer has, rebuilds the table). Indexed on user_key and user_id because the facts look up their
    user rows in it. -#}
-- depends_on: {{ ref('int_changed_hours') }}
{{ config(
    materialized=('table' if target.type == 'bigquery' else 'incremental'),
    unique_key='user_id',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['user_key'], 'unique': true}, {'columns': ['user_id']}],
    on_schema_change='fail'
) }}

{% if is_hourly_build() %}
with touched_users as (
    {{ touched_users() }}
),

stored_periods as (
    select
        stored.*,
        touched_users.first_changed_hour
    from {{ this }} as stored
    inner join touched_users on stored.user_id = touched_users.user_id
),

{#- The events from which the touched users' periods are recomputed: their period open at their first changed hour,
    standing for its events before that hour (it keeps its start and profile), then every event from that hour on. -#}
user_events as (
    select
        user_id,
        valid_from as event_at,
        cast(null as {{ dbt.type_bigint() }}) as session_id,
        cast(null as {{ dbt.type_bigint() }}) as item_in_session,
        level,
        first_name,
        last_name,
        gender,
        registered_at
    from stored_periods
    where valid_from < first_changed_hour and (valid_to is null or valid_to >= first_changed_hour)

    union all

    select
        page_views.user_id,
        page_views.event_at,
        page_views.session_id,
        page_views.item_in_session,
        page_views.level,
        page_views.first_name,
        page_views.last_name,
        page_views.gender,
        page_views.registered_at
    from {{ ref('stg_events__page_views') }} as page_views
    inner join touched_users on page_views.user_id = touched_users.user_id
    where page_views.event_at >= (select min(first_changed_hour) from touched_users)
        and page_views.event_at >= touched_users.first_changed_hour
),

recomputed as (
    {{ level_periods('user_events') }}
),

periods as (
    select user_id, level, valid_from, valid_to, first_name, last_name, gender, registered_at
    from stored_periods
    where valid_to < first_changed_hour

    union all

    select * from recomputed
)
{% else %}
with user_events as (
    select user_id, event_at, session_id, item_in_session, level, first_name, last_name, gender, registered_at
    from {{ ref('stg_events__page_views') }}
    where user_id is not null
),

periods as (
    {{ level_periods('user_events') }}
)
{% endif %}

select
    {{ surrogate_key(['user_id', 'valid_from']) }} as user_key,
    user_id,
    first_name,
    last_name,
    gender,
    registered_at,
    level,
    valid_from,
    valid_to,
    valid_to is null as is_current
from periods
