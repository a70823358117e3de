{#-
  The raw lines of one producer's Firehose prefix whose arrival hour (folder) is at or after `since_datehour`
  (`YYYY/MM/DD/HH`), as (line, object_path, datehour). The filter is a literal, so Athena prunes projected
  partitions and DuckDB skips whole files by name.
-#}
{% macro lake_raw_lines(producer, since_datehour) %}{{ return(adapter.dispatch('lake_raw_lines', 'englake')(producer, since_datehour)) }}{% endmacro %}
{% macro default__lake_raw_lines(producer, since_datehour) %}{{ exceptions.raise_compiler_error("lake_raw_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}

{% macro duckdb__lake_raw_lines(producer, since_datehour) -%}
    {%- set relation = source('lake', 'raw_' ~ producer) -%}
    {%- set prefix = env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake') ~ '/raw/' ~ producer ~ '/' -%}
    {%- if execute and not englake._duckdb_glob_has_files(prefix ~ '**/*') -%}
        {#- read_csv fails on a glob that matches nothing: an empty prefix is an empty table. -#}
        select cast(null as varchar) as line, cast(null as varchar) as object_path, cast(null as varchar) as datehour
        where false
    {%- else -%}
        select
            line,
            filename as object_path,
            regexp_extract(filename, '([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) as datehour
        from {{ relation }}
        where filename >= '{{ prefix ~ since_datehour }}'
    {%- endif -%}
{%- endmacro %}

{% macro athena__lake_raw_lines(producer, since_datehour) -%}
        select line, "$path" as object_path, datehour
        from {{ source('lake', 'raw_' ~ producer) }}
        where datehour >= '{{ since_datehour }}'
{%- endmacro %}

{% macro _duckdb_glob_has_files(pattern) %}
    {%- set result = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{% endmacro %}


{#-
  The lower bound of an incremental run: the newest arrival hour already in `relation`, minus the lookback
  (var englake__lookback_hours), rendered as a `YYYY/MM/DD/HH` literal. Full runs start at englake__start_datehour.
-#}
{% macro lake_since_datehour(relation, column='datehour') %}
    {%- set start = var('englake__start_datehour') -%}
    {%- if not englake.is_incremental_run() -%}{{ return(start) }}{%- endif -%}
    {%- set newest = run_query("select max(" ~ column ~ ") from " ~ relation).columns[0].values()[0] -%}
    {%- if newest is none -%}{{ return(start) }}{%- endif -%}
    {%- set newest_at = modules.datetime.datetime.strptime(newest, '%Y/%m/%d/%H') -%}
    {%- set since = newest_at - modules.datetime.timedelta(hours=var('englake__lookback_hours') | int) -%}
    {{ return([since.strftime('%Y/%m/%d/%H'), start] | max) }}
{% endmacro %}


{#- Incremental table settings per engine, decided in one place: models only name their key and time column. -#}
{% macro incremental_config(unique_key, partition_time_column) %}{{ return(adapter.dispatch('incremental_config', 'englake')(unique_key, partition_time_column)) }}{% endmacro %}
{% macro default__incremental_config(unique_key, partition_time_column) %}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': unique_key, 'on_schema_change': 'append_new_columns'}) }}
{% endmacro %}
{% macro athena__incremental_config(unique_key, partition_time_column) %}
    {#- Iceberg MERGE on the key: replays and duplicates that arrive on a later day still collapse to one row. -#}
    {{ return({'materialized': 'incremental', 'table_type': 'iceberg', 'incremental_strategy': 'merge',
               'unique_key': unique_key, 'partitioned_by': ['day(' ~ partition_time_column ~ ')'],
               'format': 'parquet', 'on_schema_change': 'append_new_columns'}) }}
{% endmacro %}


{#-
  is_incremental(), except that `dbt compile` renders the full-refresh form without asking the catalog, so
  `dbt compile --target athena --no-populate-cache` works offline (no Glue lookup of `this`).
-#}
{% macro is_incremental_run() %}
    {%- if not execute or invocation_args_dict.get('which') == 'compile' -%}{{ return(false) }}{%- endif -%}
    {{ return(is_incremental()) }}
{% endmacro %}


{#- The lines of every Pinpoint endpoint export in the lake, as (line, object_path). -#}
{% macro lake_endpoint_export_lines() %}{{ return(adapter.dispatch('lake_endpoint_export_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_endpoint_export_lines() %}{{ exceptions.raise_compiler_error("lake_endpoint_export_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_endpoint_export_lines() -%}
    {%- set relation = source('lake', 'raw_endpoint_exports') -%}
    {%- set folder = env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake') ~ '/endpoints/' -%}
    {%- if execute and not englake._duckdb_glob_has_files(folder ~ '**/*') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ relation }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_endpoint_export_lines() -%}
        select line, "$path" as object_path from {{ source('lake', 'raw_endpoint_exports') }}
{%- endmacro %}


{#-
  On an incremental run, the newest `column` (an arrival time) already in this model minus the lookback, as a
  'YYYY-MM-DD HH:MM:SS' string for timestamp_literal(); none on a full run or an empty table.
-#}
{% macro incremental_since(column) %}
    {%- if not englake.is_incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- set newest = run_query("select max(" ~ column ~ ") from " ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}{{ return(none) }}{%- endif -%}
    {%- set since = newest - modules.datetime.timedelta(hours=var('englake__lookback_hours') | int) -%}
    {{ return(since.strftime('%Y-%m-%d %H:%M:%S')) }}
{% endmacro %}
