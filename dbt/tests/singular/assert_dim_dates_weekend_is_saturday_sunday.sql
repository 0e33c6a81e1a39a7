{#- The weekend is Saturday and Sunday (streamify's flag meant Friday and Saturday). 2024-01-01 was a Monday, so
    days 5 and 6 after a multiple of 7 from it are the weekend. Returns days whose flag disagrees. -#}
with days as (
    select
        date_day,
        is_weekend,
        mod({{ dbt.datediff("cast('2024-01-01' as date)", 'date_day', 'day') }} + 700000, 7) as days_after_monday
    from {{ ref('dim_dates') }}
)

select *
from days
where is_weekend <> (days_after_monday in (5, 6))
