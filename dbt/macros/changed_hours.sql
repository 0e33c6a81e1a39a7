{#- Hourly builds. The hourly chain passes the data interval it transformed:
        --vars '{data_interval_start: ..., data_interval_end: ...}'
    Incremental models then recompute only the keys touched by the event hours that transform (re)built
    (int_changed_hours): the interval's hours and any earlier hour it rebuilt for late data. Without those vars
    (a manual build) the facts fall back to their own watermarks and the other models recompute every key. -#}
{% macro is_hourly_build() -%}
    {{ return(is_incremental() and var('data_interval_start', none) is not none) }}
{%- endmacro %}

{#- The rows of a staging model in the changed event hours. The first and last changed hour bound the event time
    with scalar subqueries, so PostgreSQL prunes the hourly raw partitions (or reads the ts index) at run time instead
    of joining the whole history first; the exists keeps only the changed hours inside those bounds. -#}
{% macro in_changed_hours(relation, column='event_at') -%}
    select changed_rows.*
    from {{ relation }} as changed_rows
    where changed_rows.{{ column }} >= (select min(event_hour) from {{ ref('int_changed_hours') }})
        and changed_rows.{{ column }} < (select {{ shift_hours('max(event_hour)', 1) }} from {{ ref('int_changed_hours') }})
        and exists (
            select 1
            from {{ ref('int_changed_hours') }} as changed_hours
            where changed_rows.{{ column }} >= changed_hours.event_hour
                and changed_rows.{{ column }} < {{ shift_hours('changed_hours.event_hour', 1) }}
        )
{%- endmacro %}

{#- When the transform (re)built each topic's event hour. -#}
{% macro hour_builds() -%}
    {{ return(adapter.dispatch('hour_builds')()) }}
{%- endmacro %}

{% macro postgres__hour_builds() -%}
    select event_hour, built_at from {{ source('rhythmflow', 'hour_builds') }}
{%- endmacro %}

{#- BigQuery's transform truncates and loads one hourly partition (table$YYYYMMDDHH) per hour, so a partition's
    last_modified_time is when its hour was last (re)built. -#}
{% macro bigquery__hour_builds() -%}
    select parse_timestamp('%Y%m%d%H', partition_id) as event_hour, last_modified_time as built_at
    from {{ adapter.quote(target.database) }}.{{ source('raw', 'listen_events').schema }}.INFORMATION_SCHEMA.PARTITIONS
    where table_name in ('listen_events', 'page_view_events', 'auth_events', 'status_change_events')
        and partition_id not in ('__NULL__', '__UNPARTITIONED__')
{%- endmacro %}

{#- A filter on an hour column to the changed hours; the scalar bounds let PostgreSQL read the column's index for
    those hours whatever it guesses of int_changed_hours' size, instead of hashing the whole table against it. -#}
{% macro on_changed_hours(hour_column) -%}
    {{ hour_column }} >= (select min(event_hour) from {{ ref('int_changed_hours') }})
    and {{ hour_column }} <= (select max(event_hour) from {{ ref('int_changed_hours') }})
    and {{ hour_column }} in (select event_hour from {{ ref('int_changed_hours') }})
{%- endmacro %}

{#- The same on a date_day column, for the changed hours' UTC days. -#}
{% macro on_changed_days(date_day_column) -%}
    {{ date_day_column }} >= (select min({{ utc_date('event_hour') }}) from {{ ref('int_changed_hours') }})
    and {{ date_day_column }} <= (select max({{ utc_date('event_hour') }}) from {{ ref('int_changed_hours') }})
    and {{ date_day_column }} in (select {{ utc_date('event_hour') }} from {{ ref('int_changed_hours') }})
{%- endmacro %}

{#- The config of an aggregate that an hourly build recomputes a day (or an hour) at a time: delete+insert of the
    key on PostgreSQL, insert_overwrite of the key's partition on BigQuery (whose merge needs a key unique per row). -#}
{% macro recompute_by(key, data_type, extra_indexes=[]) -%}
    {{ config(
        materialized='incremental',
        unique_key=key,
        incremental_strategy=('insert_overwrite' if target.type == 'bigquery' else 'delete+insert'),
        partition_by=({'field': key, 'data_type': data_type, 'granularity': 'hour'} if data_type == 'timestamp' else {'field': key, 'data_type': data_type}),
        indexes=[{'columns': [key]}] + extra_indexes,
        on_schema_change='fail'
    ) }}
{%- endmacro %}

{#- The larger / smaller of two values where either may be null (BigQuery's greatest and least return null then):
    how a dimension folds the new hour's maximum or minimum into the one it already holds. -#}
{% macro greater_of(a, b) -%}
    case when {{ b }} is null or {{ a }} > {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{% macro lesser_of(a, b) -%}
    case when {{ b }} is null or {{ a }} < {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{#- The config of a dimension that an hourly build updates for the keys the changed hours touched. -#}
{% macro upsert_by(key, extra_indexes=[]) -%}
    {{ config(
        materialized='incremental',
        unique_key=key,
        incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
        indexes=[{'columns': [key], 'unique': true}] + extra_indexes,
        on_schema_change='fail'
    ) }}
{%- endmacro %}
