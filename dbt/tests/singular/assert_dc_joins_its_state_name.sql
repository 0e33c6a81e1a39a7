{#- Washington DC gets its name (streamify's seed had "DC " with a trailing space, so DC became 'NA'). -#}
select *
from {{ ref('dim_locations') }}
where state_code = 'DC' and state_name <> 'Washington DC'
