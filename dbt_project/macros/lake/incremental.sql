{#- Incremental models: where a run starts reading, and each engine's incremental table settings. -#}

{#-
  The lower bound of a run's raw read, as a `YYYY/MM/DD/HH` literal: on an incremental run the newest arrival hour
  already in `relation` minus the lookback (var englake__lookback_hours); on a full run englake__start_datehour,
  which is unset by default so that the first load starts where the lake starts (none: every folder is read).
-#}
{% macro lake_since_datehour(relation, column='datehour') %}
    {%- set start = englake.datehour_var('englake__start_datehour') -%}
    {%- set lookback_hours = englake.int_var('englake__lookback_hours') -%}
    {%- if not englake.is_incremental_run() -%}{{ return(start) }}{%- endif -%}
    {%- set newest = run_query("select max(" ~ column ~ ") from " ~ relation).columns[0].values()[0] -%}
    {%- if newest is none -%}{{ return(start) }}{%- endif -%}
    {%- set newest_at = modules.datetime.datetime.strptime(newest, '%Y/%m/%d/%H') -%}
    {%- set since = newest_at - modules.datetime.timedelta(hours=lookback_hours) -%}
    {%- set since_text = since.strftime('%Y/%m/%d/%H') if since.year >= 1000 else '%04d/%02d/%02d/%02d' | format(since.year, since.month, since.day, since.hour) -%}
    {{ return([since_text, start] | max if start else since_text) }}
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


{#-
  On an incremental run, the newest `column` (an arrival time) already in this model minus the lookback, as a
  'YYYY-MM-DD HH:MM:SS' string for timestamp_literal(); none on a full run or an empty table.
-#}
{% macro incremental_since(column) %}
    {%- if not englake.is_incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- set newest = run_query("select max(" ~ column ~ ") from " ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}{{ return(none) }}{%- endif -%}
    {%- set since = newest - modules.datetime.timedelta(hours=englake.int_var('englake__lookback_hours')) -%}
    {{ return(since.strftime('%Y-%m-%d %H:%M:%S')) }}
{% endmacro %}
