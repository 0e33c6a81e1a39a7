{#- The type-2 rows of one user never overlap and leave no gaps: each row ends exactly where the next begins,
    only the last row is open, and exactly one row per user is current. Returns the offending rows. -#}
with ordered as (
    select
        user_id,
        user_key,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by user_id order by valid_from) as next_valid_from,
        sum(case when is_current then 1 else 0 end) over (partition by user_id) as current_rows
    from {{ ref('dim_users') }}
)

select *
from ordered
where valid_to <= valid_from
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
    or (next_valid_from is null and valid_to is not null)
    or is_current <> (valid_to is null)
    or current_rows <> 1
