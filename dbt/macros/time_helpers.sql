{#- Timestamp helpers that dbt's cross-database macros do not cover, one implementation per adapter. -#}

{#- Adds whole hours to a timestamp and keeps it a timestamp (dbt.dateadd turns it into a DATETIME on BigQuery,
    which BigQuery refuses to compare with a TIMESTAMP column). -#}
{% macro shift_hours(timestamp_expression, hours) -%}
    {{ return(adapter.dispatch('shift_hours')(timestamp_expression, hours)) }}
{%- endmacro %}

{% macro postgres__shift_hours(timestamp_expression, hours) -%}
    ({{ timestamp_expression }} + interval '1 hour' * ({{ hours }}))
{%- endmacro %}

{% macro bigquery__shift_hours(timestamp_expression, hours) -%}
    timestamp_add({{ timestamp_expression }}, interval {{ hours }} hour)
{%- endmacro %}

{#- The UTC calendar date of a timestamp (the local warehouse session runs in UTC). -#}
{% macro utc_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_date')(timestamp_expression)) }}
{%- endmacro %}

{% macro postgres__utc_date(timestamp_expression) -%}
    cast({{ timestamp_expression }} as date)
{%- endmacro %}

{% macro bigquery__utc_date(timestamp_expression) -%}
    date({{ timestamp_expression }})
{%- endmacro %}

{#- ISO day of week: 1 = Monday ... 6 = Saturday, 7 = Sunday (BigQuery's DAYOFWEEK counts 1 = Sunday). -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{%- endmacro %}

{% macro postgres__iso_day_of_week(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro bigquery__iso_day_of_week(date_expression) -%}
    (mod(extract(dayofweek from {{ date_expression }}) + 5, 7) + 1)
{%- endmacro %}

{#- ISO week number (weeks start on Monday). -#}
{% macro iso_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_week')(date_expression)) }}
{%- endmacro %}

{% macro postgres__iso_week(date_expression) -%}
    cast(extract(week from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro bigquery__iso_week(date_expression) -%}
    extract(isoweek from {{ date_expression }})
{%- endmacro %}

{#- One row per calendar day from start_date to end_date inclusive, in a column named date_day. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series')(start_date, end_date)) }}
{%- endmacro %}

{% macro postgres__day_series(start_date, end_date) -%}
    select cast(day_start as date) as date_day
    from generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day') as day_start
{%- endmacro %}

{% macro bigquery__day_series(start_date, end_date) -%}
    select date_day
    from unnest(generate_date_array({{ start_date }}, {{ end_date }})) as date_day
{%- endmacro %}

{#- The rows an incremental model must (re)build: events within the lookback of the newest event already
    modelled, plus anything that arrived after the newest arrival already modelled (late data of any age). -#}
{% macro incremental_window(event_column='event_at', loaded_column='loaded_at', this_event_column=none) -%}
    (
        {{ event_column }} >= (
            select {{ shift_hours('max(' ~ (this_event_column or event_column) ~ ')', -1 * var('lookback_hours')) }}
            from {{ this }}
        )
        or {{ loaded_column }} > coalesce(
            (select max(loaded_at) from {{ this }}),
            cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
        )
    )
{%- endmacro %}

{#- The integer key of a calendar date, yyyymmdd: the join key to dim_dates. -#}
{% macro date_key(date_expression) -%}
    cast(
        extract(year from {{ date_expression }}) * 10000
        + extract(month from {{ date_expression }}) * 100
        + extract(day from {{ date_expression }})
        as {{ dbt.type_int() }}
    )
{%- endmacro %}
