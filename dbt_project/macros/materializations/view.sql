{#-
  Views on DuckDB are re-created only when they would change. A view is SQL text, so an hourly run has nothing to
  redo for one whose compiled SQL is the same and whose upstream relations have the same columns: re-creating the
  32 views cost about 0.1 s each of a run's few seconds. The view's comment keeps a fingerprint of both, named as
  such for whoever reads it in DuckDB or the docs site (persist_docs is Athena's only, so there is no description
  to lose); a full refresh re-creates every view. Athena keeps dbt's own view materialization.
-#}
{% materialization view, adapter='duckdb' %}
    {%- set existing = load_cached_relation(this) -%}
    {%- call statement('main', fetch_result=True) -%}
        {{ englake.duckdb_view_fingerprint(this, sql, model) }}
    {%- endcall -%}
    {%- set fingerprint, unchanged = load_result('main').table.rows[0] -%}
    {%- if existing is not none and existing.is_view and unchanged and not should_full_refresh() -%}
        {%- do store_result('main', response='unchanged') -%}
        {{ return({'relations': [this.incorporate(type='view')]}) }}
    {%- endif -%}
    {%- set relations = materialization_view_default() -%}
    {%- call statement('fingerprint') -%}
        comment on view {{ this }} is {{ englake.string_literal(fingerprint) }}
    {%- endcall -%}
    {%- do adapter.commit() -%}
    {{ return(relations) }}
{% endmaterialization %}


{#-
  A query of one row: the fingerprint `relation` (a view) would have (the compiled SQL's md5 with its upstream
  models' and seeds' columns: name, position, type) and whether its stored comment holds that fingerprint already.
-#}
{% macro duckdb_view_fingerprint(relation, sql, node) %}
    {%- set upstream = [] -%}
    {%- for unique_id in node.depends_on.nodes -%}
        {%- set parent = graph.nodes.get(unique_id) -%}
        {%- if parent is not none and parent.resource_type in ('model', 'seed', 'snapshot') -%}
            {%- do upstream.append(englake.string_literal(parent.schema ~ '.' ~ (parent.alias or parent.name))) -%}
        {%- endif -%}
    {%- endfor %}
    with wanted as (
        select 'englake view fingerprint ' || md5({{ englake.string_literal(local_md5(sql)) }} || coalesce((
            select string_agg(schema_name || '.' || table_name || '.' || column_index || '.' || column_name || ' ' || data_type, ',' order by schema_name, table_name, column_index)
            from duckdb_columns()
            where database_name = {{ englake.string_literal(relation.database) }}
                and schema_name || '.' || table_name in ({{ upstream | join(', ') if upstream else "''" }})
        ), '')) as fingerprint
    )
    select
        wanted.fingerprint,
        coalesce(views.comment = wanted.fingerprint, false) as unchanged
    from wanted
    left join duckdb_views() as views
        on views.database_name = {{ englake.string_literal(relation.database) }}
        and views.schema_name = {{ englake.string_literal(relation.schema) }}
        and views.view_name = {{ englake.string_literal(relation.identifier) }}
{% endmacro %}
