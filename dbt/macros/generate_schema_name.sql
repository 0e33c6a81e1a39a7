{#- Layers land in the schemas their folders name (staging, intermediate, marts), not in
    "<target schema>_<custom schema>" as dbt's default would build them; unconfigured nodes use the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
