{#- One row per session, rolled up from its page views: first and last event, pages, songs, levels and outcomes. -#}
{{ roll_up_sessions(ref('stg_events__page_views')) }}
