{#- One row per upgrade or downgrade, keyed to the user row that was valid when it was submitted. An hourly build
    replaces the changes of the changed hours (and re-keys a touched user's later ones, as fct_streams does). Indexed on
    event_at for the tests of an hourly build, which read the changes from its interval on. -#}
-- depends_on: {{ ref('int_changed_hours') }}
-- depends_on: {{ ref('stg_events__page_views') }}
{{ upsert_by('status_change_id', extra_indexes=[{'columns': ['event_at']}]) }}

with changes as (
    {% if is_hourly_build() %}
    {{ in_changed_hours_or_rekeyed(ref('stg_events__status_changes')) }}
    {% else %}
    select * from {{ ref('stg_events__status_changes') }}
    {% endif %}
),

users as (
    select user_key, user_id, valid_from, valid_to from {{ ref('dim_users') }}
)

select
    changes.status_change_id,
    changes.event_at,
    {{ date_key(utc_date('changes.event_at')) }} as date_key,
    changes.user_id,
    users.user_key,
    {{ surrogate_key(['changes.city', 'changes.zip', 'changes.state_code']) }} as location_key,
    changes.session_id,
    changes.previous_level,
    changes.new_level,
    changes.change_type
from changes
left join users
    on changes.user_id = users.user_id
    and changes.event_at >= users.valid_from
    and (users.valid_to is null or changes.event_at < users.valid_to)
