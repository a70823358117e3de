{#-
  Values that reach SQL from outside (dbt vars, paths): quoted or checked here, never pasted into SQL as they are.
-#}

{#- A SQL string literal of `value` (a quote inside is doubled), the same on both engines. -#}
{% macro string_literal(value) -%}
'{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}


{#- An integer var; anything else stops the compile naming the var. -#}
{% macro int_var(name, default=none) %}
    {%- set value = var(name, default) -%}
    {%- if value is number and value == value | int -%}{{ return(value | int) }}{%- endif -%}
    {%- if value is string and modules.re.fullmatch('-?[0-9]+', value.strip()) -%}{{ return(value.strip() | int) }}{%- endif -%}
    {{ exceptions.raise_compiler_error("var " ~ name ~ " must be an integer, got " ~ tojson(value)) }}
{% endmacro %}


{#- A `YYYY/MM/DD/HH` folder-hour var (none when unset or empty); anything else stops the compile. -#}
{% macro datehour_var(name) %}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}{{ return(none) }}{%- endif -%}
    {%- if value is string and modules.re.fullmatch('[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}', value) -%}{{ return(value) }}{%- endif -%}
    {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a Firehose folder hour YYYY/MM/DD/HH, got " ~ tojson(value)) }}
{% endmacro %}


{#- A 'YYYY-MM-DD HH:MM:SS' timestamp var (none when unset); anything else stops the compile. -#}
{% macro timestamp_var(name) %}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}{{ return(none) }}{%- endif -%}
    {%- if value is string and modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?', value) -%}
        {{ return(value | replace('T', ' ')) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a timestamp YYYY-MM-DD HH:MM:SS (UTC), got " ~ tojson(value)) }}
{% endmacro %}


{#- A date literal both engines accept, from a 'YYYY-MM-DD' value. -#}
{% macro date_literal(value) %}date {{ englake.string_literal(value) }}{% endmacro %}
