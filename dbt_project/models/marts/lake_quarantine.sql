{{ config(materialized='view') }}
{#-
  The one quarantine: everything in the lake that could not become an event, with the object it came from (its key
  under the lake root), the line where known, the reason, the detail and the record text. Nothing is dropped
  silently. Two sources, each record in exactly one:
  - records the models read but could not classify (invalid JSON, not a JSON object, unrecognized producer), from
    stg_lake__records; SQL reads objects by line, so their line number is not known here (NULL);
  - entries of the Python quarantine (quarantine/**.ndjson, ingest/quarantine.py) that SQL cannot see: what the
    sweep before dbt took out of raw/ (unreadable objects, invalid UTF-8 lines) and inputs `englake lake land` could
    not read. Entries for lake records with a reason SQL also finds (written by `lake inspect --write-quarantine`)
    are left out: those records are already in the first part.
-#}
{%- set sql_reasons = ['invalid JSON', 'not a JSON object', 'unrecognized producer'] %}

with python_entries as (
    select
        object_key as quarantine_object,
        line as entry
    from ({{ englake.lake_quarantine_lines() }}) as entries
    where {{ englake.trim_whitespace('line') }} <> ''
),

python_parsed as (
    select
        quarantine_object,
        entry,
        {{ englake.json_is_valid('entry') }} as is_valid_entry
    from python_entries
),

python_fields as (
    select
        quarantine_object,
        entry,
        is_valid_entry,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'key') }} end as source_key,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'source') }} end as source,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'line') }} end as line_text,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'reason') }} end as reason,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'detail') }} end as detail,
        case when is_valid_entry then {{ englake.json_text_at('entry', 'record') }} end as record
    from python_parsed
),

from_python as (
    select
        {{ englake.hash_key(["'quarantine'", 'quarantine_object', 'entry']) }} as record_id,
        cast(coalesce(reason, 'unreadable quarantine entry') as {{ englake.sql_type('varchar') }}) as quarantine_reason,
        cast(coalesce(source_key, source, quarantine_object) as {{ englake.sql_type('varchar') }}) as object_key,
        {{ englake.bigint_from_text('line_text') }} as line_number,
        cast(case when is_valid_entry then detail else 'not a JSON quarantine entry in ' || quarantine_object end as {{ englake.sql_type('varchar') }}) as detail,
        cast(case when is_valid_entry then record else entry end as {{ englake.sql_type('varchar') }}) as record,
        cast('python' as {{ englake.sql_type('varchar') }}) as found_by
    from python_fields
    where not is_valid_entry
        or source_key is null
        or not (
            {%- for reason in sql_reasons %}
            reason like {{ englake.string_literal(reason ~ '%') }}{{ ' or' if not loop.last }}
            {%- endfor %}
        )
),

from_sql as (
    select
        record_id,
        cast(quarantine_reason as {{ englake.sql_type('varchar') }}) as quarantine_reason,
        cast(object_key as {{ englake.sql_type('varchar') }}) as object_key,
        {{ englake.typed_null('bigint') }} as line_number,
        {{ englake.typed_null('varchar') }} as detail,
        cast(record as {{ englake.sql_type('varchar') }}) as record,
        cast('sql' as {{ englake.sql_type('varchar') }}) as found_by
    from {{ ref('stg_lake__records') }}
    where quarantine_reason is not null
)

select record_id, quarantine_reason, object_key, line_number, detail, record, found_by from from_sql
union all
select record_id, quarantine_reason, object_key, line_number, detail, record, found_by from from_python
