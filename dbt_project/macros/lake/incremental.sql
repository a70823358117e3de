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


{#-
  Incremental table settings per engine, decided in one place: models name their key, the arrival-time column their
  Iceberg table is partitioned by (a day per partition), and how a run writes on Athena:
  - 'append' for models whose SQL already leaves out every key stored before (stg_lake__records, fct_events): an
    INSERT of the new rows, with no MERGE scanning the target;
  - 'merge' for models that re-derive rows already stored (the message marts): an Iceberg MERGE on the key, bounded
    by `merge_bound` when given: a column of the model no later than the partition column of every stored row the
    new row replaces (first_ingested_at ≤ an older version's last_ingested_at), so
    `target.<partition column> >= src.<merge_bound>` holds for every match: a range join condition on the target's
    partition column, which Trino can use as a dynamic filter to prune it (admin/dynamic-filtering.rst). A literal
    time bound would miss a stored row whose message got a late event, and insert it twice.
  DuckDB keeps delete+insert on the key for both: the rows it writes are the same.
-#}
{% macro incremental_config(unique_key, partition_time_column, athena_strategy='merge', merge_bound=none) %}{{ return(adapter.dispatch('incremental_config', 'englake')(unique_key, partition_time_column, athena_strategy, merge_bound)) }}{% endmacro %}
{% macro default__incremental_config(unique_key, partition_time_column, athena_strategy, merge_bound) %}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': unique_key, 'on_schema_change': 'append_new_columns'}) }}
{% endmacro %}
{% macro athena__incremental_config(unique_key, partition_time_column, athena_strategy, merge_bound) %}
    {%- if athena_strategy not in ('append', 'merge') -%}
        {{ exceptions.raise_compiler_error("incremental_config: athena_strategy is 'append' or 'merge', not " ~ athena_strategy) }}
    {%- endif -%}
    {%- set config = {'materialized': 'incremental', 'table_type': 'iceberg', 'incremental_strategy': athena_strategy,
                      'unique_key': unique_key, 'partitioned_by': ['day(' ~ partition_time_column ~ ')'],
                      'format': 'parquet', 'on_schema_change': 'append_new_columns'} -%}
    {%- if athena_strategy == 'merge' and merge_bound -%}
        {%- do config.update({'incremental_predicates': ['target.' ~ partition_time_column ~ ' >= src.' ~ merge_bound]}) -%}
    {%- endif -%}
    {{ return(config) }}
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


{#-
  For a model re-derived by a date from rows of `source` (a mart keyed by message) that changed since this model's
  newest `change_column` minus the lookback: the earliest `bound_column` (a date) among those changed rows, as
  'YYYY-MM-DD'; none on a full run (re-derive everything). On an incremental run with nothing changed, a date after
  every row ('9999-12-31'), so nothing is re-derived. A changed row's date can only have moved earlier (its sent
  date is a minimum over more events now), so every stored row it counted in before is on or after the bound too.
-#}
{% macro rederive_from_date(source, bound_column, change_column) %}
    {%- set since = englake.incremental_since(change_column) -%}
    {%- if since is none -%}{{ return(none) }}{%- endif -%}
    {%- set earliest = run_query("select min(" ~ bound_column ~ ") from " ~ source ~ " where " ~ change_column ~ " >= " ~ englake.timestamp_literal(since)).columns[0].values()[0] -%}
    {#- A date from DuckDB, a date or its text from Athena's cursor: the first ten characters either way. -#}
    {{ return((earliest | string)[:10] if earliest is not none else '9999-12-31') }}
{% endmacro %}


{#- The pre-hook of such a model: its stored rows from the bound on are deleted, then the re-derived ones appended. -#}
{% macro delete_rederived(source, bound_column, change_column) %}
    {%- set bound = englake.rederive_from_date(source, bound_column, change_column) -%}
    {%- if bound is not none -%}
        delete from {{ this }} where {{ bound_column }} >= {{ englake.date_literal(bound) }}
    {%- endif -%}
{% endmacro %}


{#-
  For a message mart (a row per message, or per message × recipient, with first_ingested_at and last_ingested_at)
  on an incremental run: the earliest arrival among the events it must re-read, as 'YYYY-MM-DD HH:MM:SS', so its
  read of fct_events carries a literal on fct_events' partition column instead of reading every day. A message with
  a new event (arrived since this model's newest last_ingested_at minus the lookback) is re-derived from all its
  events; those arrived at or after its stored first_ingested_at, or, for a message not stored yet, at or after that
  bound itself (every event before it was already there at the last run). none on a full run. A stored row without
  first_ingested_at (written before the column existed) lifts the bound: every day is read.
-#}
{% macro message_events_since(message_column) %}
    {%- set since = englake.incremental_since('last_ingested_at') -%}
    {%- if since is none -%}{{ return(none) }}{%- endif -%}
    {%- set query -%}
        select min(coalesce(first_ingested_at, {{ englake.timestamp_literal('1970-01-01 00:00:00') }}))
        from {{ this }}
        where {{ message_column }} in (
            select message_id from {{ ref('fct_events') }}
            where ingested_at >= {{ englake.timestamp_literal(since) }} and message_id is not null
        )
    {%- endset -%}
    {%- set earliest = run_query(query).columns[0].values()[0] -%}
    {%- if earliest is none -%}{{ return(since) }}{%- endif -%}
    {#- Cut to the second (never later than the value), from a timestamp or its text alike. -#}
    {{ return([(earliest | string)[:19], since] | min) }}
{% endmacro %}
