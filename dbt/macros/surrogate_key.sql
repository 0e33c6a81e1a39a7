{#- A stable text key from several columns, like dbt_utils.generate_surrogate_key: nulls become a marker
    distinct from the empty string, and a separator keeps ('ab','c') apart from ('a','bc'). -#}
{% macro surrogate_key(field_list) -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append("coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro %}
