{#- A listen joins the user row valid at the instant it happened, even on the day of a level change (streamify
    joined by date and picked the new level for the whole day). Returns streams whose user row disagrees. -#}
select
    streams.stream_id,
    streams.event_at,
    streams.level as stream_level,
    users.level as user_row_level,
    users.valid_from,
    users.valid_to
from {{ ref('fct_streams') }} as streams
inner join {{ ref('dim_users') }} as users on streams.user_key = users.user_key
where streams.event_hour >= cast('{{ var("data_interval_start", "1900-01-01") }}' as {{ dbt.type_timestamp() }})
    and (streams.level <> users.level
    or streams.event_at < users.valid_from
    or (users.valid_to is not null and streams.event_at >= users.valid_to))
