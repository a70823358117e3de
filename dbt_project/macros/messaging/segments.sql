{#-
  The moment a segment's relative windows ("the last 24 hours") end: var englake__segment_as_of
  ('YYYY-MM-DD HH:MM:SS', UTC) when set, else now. Tests and backfills pin it.
-#}
{% macro segment_as_of() %}
    {%- set as_of = englake.timestamp_var('englake__segment_as_of') -%}
    {{ return(englake.timestamp_literal(as_of) if as_of else englake.utc_now()) }}
{% endmacro %}


{#-
  One segment model's rows for segment_membership: (endpoint_id, segment_name), the name taken from the model's
  `meta.segment_name` config (written once, in the segment model).
-#}
{% macro segment_rows(model_name) %}
    {%- set relation = ref(model_name) -%}
    {%- set segment_name = model_name -%}
    {%- if execute -%}
        {%- set node = graph.nodes.get('model.englake.' ~ model_name) -%}
        {%- set segment_name = node.config.meta.get('segment_name') if node else none -%}
        {%- if not segment_name -%}
            {{ exceptions.raise_compiler_error("segment model " ~ model_name ~ " has no config meta.segment_name") }}
        {%- endif -%}
    {%- endif -%}
    select distinct cast(endpoint_id as {{ englake.sql_type('varchar') }}) as endpoint_id,
        cast({{ englake.string_literal(segment_name) }} as {{ englake.sql_type('varchar') }}) as segment_name
    from {{ relation }}
    where endpoint_id is not null
{% endmacro %}
