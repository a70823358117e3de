{#-
  Where the lake's objects are and how each engine reads them as text lines. Every read names the object by its
  key relative to the lake root (`raw/<producer>/YYYY/MM/DD/HH/<name>`), never by where the lake is mounted, so
  record ids survive moving a local lake or reading the same bucket through another path.
-#}

{#-
  The raw lines of one producer's Firehose prefix whose arrival hour (folder) is at or after `since_datehour`
  (`YYYY/MM/DD/HH`; none reads every folder), as (line, object_key, datehour). The filter is a literal, so Athena
  prunes projected partitions and DuckDB skips whole files by name. With `stored` (a relation with object_key and
  datehour columns), DuckDB also leaves out the objects in it: an object is written once and never changes, so one
  whose records are stored has nothing new, and an hourly run reads the hour's objects instead of the lookback's.
  Athena reads the lookback's partitions (its cost is the bytes scanned, not the object count).
-#}
{% macro lake_raw_lines(producer, since_datehour, stored=none) %}{{ return(adapter.dispatch('lake_raw_lines', 'englake')(producer, since_datehour, stored)) }}{% endmacro %}
{% macro default__lake_raw_lines(producer, since_datehour, stored) %}{{ exceptions.raise_compiler_error("lake_raw_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}

{% macro duckdb__lake_raw_lines(producer, since_datehour, stored) -%}
    {%- set relation = source('lake', 'raw_' ~ producer) -%}
    {%- set prefix = englake.lake_path() ~ '/raw/' ~ producer ~ '/' -%}
    {%- set unstored = englake._duckdb_unstored_objects(producer, prefix, since_datehour, stored) if execute and since_datehour and stored else none -%}
    {%- if unstored is not none -%}
        {#- Read only those objects: the source's own read_csv, with their list in place of its glob. -#}
        {%- set relation = (relation | string).replace(englake.string_literal(prefix ~ '**/*'), unstored) if unstored != '[]' else none -%}
    {%- elif execute and not englake._duckdb_glob_has_files(prefix ~ '**/*') -%}
        {%- set relation = none -%}
    {%- endif -%}
    {%- if relation is none -%}
        {#- read_csv fails on a glob that matches nothing: an empty prefix is an empty table. -#}
        select cast(null as varchar) as line, cast(null as varchar) as object_key, cast(null as varchar) as datehour
        where false
    {%- else -%}
        select
            line,
            {{ englake.lake_object_key('filename', producer) }} as object_key,
            regexp_extract(filename, '([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) as datehour
        from {{ relation }}
        {%- if since_datehour %}
        where filename >= {{ englake.string_literal(prefix ~ since_datehour) }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{% macro athena__lake_raw_lines(producer, since_datehour, stored) -%}
        select line, {{ englake.lake_object_key('"$path"', producer) }} as object_key, datehour
        from {{ source('lake', 'raw_' ~ producer) }}
        {%- if since_datehour %}
        where datehour >= {{ englake.string_literal(since_datehour) }}
        {%- endif %}
{%- endmacro %}


{#-
  An object's key relative to the lake root: the path from the last `/raw/<producer>/` on (a local path or an
  s3:// URI alike). regexp_extract is '' on DuckDB and NULL on Trino without a match; both fall back to the path.
-#}
{% macro lake_object_key(path_expr, producer) -%}
coalesce(nullif(regexp_extract({{ path_expr }}, '^.*/(raw/{{ producer }}/.*)$', 1), ''), {{ path_expr }})
{%- endmacro %}


{#- The local lake folder (DuckDB), an absolute path set by `englake` (ENGLAKE_LAKE_PATH). -#}
{% macro lake_path() %}{{ return(env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake')) }}{% endmacro %}


{#-
  The objects under `prefix` (a producer's raw prefix on DuckDB) from arrival hour `since_datehour` on of which
  `stored` holds no record, as a DuckDB list literal of their paths ('[]' for none). Only the day folders of the 62
  days from `since_datehour`'s day are listed, so the listing costs the same at any lake age (Firehose names a folder
  by the hour it wrote the object, and a run reads what arrived since the previous one). None when today (UTC) is
  past those days, as after a long pause, or when more than 5,000 objects are new: the caller reads the whole
  prefix.
-#}
{% macro _duckdb_unstored_objects(producer, prefix, since_datehour, stored) %}
    {%- set days = 62 -%}
    {%- set first_day = modules.datetime.datetime.strptime(since_datehour, '%Y/%m/%d/%H').date() -%}
    {%- if (modules.datetime.datetime.utcnow().date() - first_day).days >= days - 1 -%}{{ return(none) }}{%- endif -%}
    {%- set folders = [] -%}
    {%- for offset in range(days) -%}
        {%- do folders.append(englake.string_literal(prefix ~ (first_day + modules.datetime.timedelta(days=offset)).strftime('%Y/%m/%d') ~ '/*/*')) -%}
    {%- endfor -%}
    {%- set query -%}
        select coalesce('[' || string_agg('''' || replace(file, '''', '''''') || '''', ', ') || ']', '[]'), count(*)
        from glob([{{ folders | join(', ') }}])
        where file >= {{ englake.string_literal(prefix ~ since_datehour) }}
            and {{ englake.lake_object_key('file', producer) }} not in (
                select object_key from {{ stored }} where datehour >= {{ englake.string_literal(since_datehour) }}
            )
    {%- endset -%}
    {%- set paths, count = run_query(query).rows[0] -%}
    {{ return(paths if count <= 5000 else none) }}
{% endmacro %}


{% macro _duckdb_glob_has_files(pattern) %}
    {%- set result = run_query("select count(*) from glob(" ~ englake.string_literal(pattern) ~ ")") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{% endmacro %}


{#- The lines of every Pinpoint endpoint export in the lake, as (line, object_path). -#}
{% macro lake_endpoint_export_lines() %}{{ return(adapter.dispatch('lake_endpoint_export_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_endpoint_export_lines() %}{{ exceptions.raise_compiler_error("lake_endpoint_export_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_endpoint_export_lines() -%}
    {%- set relation = source('lake', 'raw_endpoint_exports') -%}
    {%- if execute and not englake._duckdb_glob_has_files(englake.lake_path() ~ '/endpoints/**/*') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ relation }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_endpoint_export_lines() -%}
        select line, "$path" as object_path from {{ source('lake', 'raw_endpoint_exports') }}
{%- endmacro %}


{#-
  The lines of the Python quarantine (`quarantine/**.ndjson`, ingest/quarantine.py: one JSON entry per line) as
  (line, object_key). `englake models build` runs the sweep (ingest/sweep.py) first, which takes unreadable objects
  and lines out of raw/ and records them there; lake_quarantine shows them next to what SQL quarantines.
-#}
{% macro lake_quarantine_lines() %}{{ return(adapter.dispatch('lake_quarantine_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_quarantine_lines() %}{{ exceptions.raise_compiler_error("lake_quarantine_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_quarantine_lines() -%}
    {%- set relation = source('lake', 'quarantine_entries') -%}
    {%- if execute and not englake._duckdb_glob_has_files(englake.lake_path() ~ '/quarantine/**/*.ndjson') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_key where false
    {%- else -%}
        select line, regexp_extract(filename, '^.*/(quarantine/.*)$', 1) as object_key from {{ relation }}
    {%- endif -%}
{%- endmacro %}
{#- A Glue database registered before the quarantine table existed has none: then there is nothing to read. -#}
{% macro athena__lake_quarantine_lines() -%}
    {%- set relation = source('lake', 'quarantine_entries') -%}
    {%- set registered = true -%}
    {%- if execute and invocation_args_dict.get('which') != 'compile' -%}
        {%- set registered = adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none -%}
    {%- endif -%}
    {%- if registered -%}
        select line, regexp_extract("$path", '^.*/(quarantine/.*)$', 1) as object_key
        from {{ relation }}
    {%- else -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_key where false
    {%- endif -%}
{%- endmacro %}


{#- The lines of every campaign/journey catalog object in the lake (catalog/**/*.ndjson), as (line, object_path). -#}
{% macro lake_campaign_catalog_lines() %}{{ return(adapter.dispatch('lake_campaign_catalog_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_campaign_catalog_lines() %}{{ exceptions.raise_compiler_error("lake_campaign_catalog_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_campaign_catalog_lines() -%}
    {%- if execute and not englake._duckdb_glob_has_files(englake.lake_path() ~ '/catalog/**/*.ndjson') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ source('lake', 'raw_campaign_catalog') }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_campaign_catalog_lines() -%}
        select line, "$path" as object_path from {{ source('lake', 'raw_campaign_catalog') }}
{%- endmacro %}


{#- The lines of every phone-validation object in the lake (handlers/phone_validation: one JSON result per line). -#}
{% macro lake_phone_validation_lines() %}{{ return(adapter.dispatch('lake_phone_validation_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_phone_validation_lines() %}{{ exceptions.raise_compiler_error("lake_phone_validation_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_phone_validation_lines() -%}
    {%- if execute and not englake._duckdb_glob_has_files(englake.lake_path() ~ '/phone_numbers/validations/*.ndjson') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ source('phone_numbers', 'validations') }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_phone_validation_lines() -%}
        select line, "$path" as object_path from {{ source('phone_numbers', 'validations') }}
{%- endmacro %}
