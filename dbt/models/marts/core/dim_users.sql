{#- Type-2 history of each user's subscription level: one row per period, valid from its first event up to
    (not including) the next period's first event; the open period has no valid_to and is the current row.
    Rebuilt whole (a late event can move a user's earlier periods); indexed on user_key because an hourly build
    looks up the new facts' user rows in it, and a fresh table's statistics do not yet tell the planner so. -#}
{{ config(indexes=[{'columns': ['user_key']}]) }}
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
from {{ ref('int_user_levels_historized') }}
