{#-
  Every record of the raw lake, parsed once: one row per record (a Firehose line, or each of several JSON objects
  run together on one line), classified by producer from its content, with the text kept so no field AWS adds is
  ever lost. Records that are not JSON objects or match no producer keep a quarantine_reason (see lake_quarantine).
-#}
{{ config(**englake.incremental_config('record_id', 'ingested_at')) }}
{%- set since = englake.lake_since_datehour(this) %}

with lines as (
    {%- for producer in ['pinpoint', 'ses', 'sms'] %}
    select {{ englake.trim_whitespace('line') }} as trimmed, object_path, datehour, '{{ producer }}' as source_prefix
    from ({{ englake.lake_raw_lines(producer, since) }}) as raw_{{ producer }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

records as (
    select
        lines.object_path,
        lines.datehour,
        lines.source_prefix,
        {{ englake.trim_whitespace('piece.record') }} as record
    from lines
    cross join unnest({{ englake.split_run_together('lines.trimmed') }}) as piece (record)
    where lines.trimmed <> ''
),

validated as (
    select *, {{ englake.json_is_valid('record') }} as is_valid_json
    from records
),

typed as (
    select
        *,
        case when is_valid_json then {{ englake.json_type_at('record') }} end as json_type,
        case when is_valid_json then {{ englake.json_type_at('record', 'event_type') }} end as type_of_event_type,
        case when is_valid_json then {{ englake.json_type_at('record', 'eventType') }} end as type_of_eventtype,
        case when is_valid_json then {{ englake.json_type_at('record', 'notificationType') }} end as type_of_notificationtype,
        case when is_valid_json then {{ englake.json_type_at('record', 'messageId') }} end as type_of_messageid,
        case when is_valid_json then {{ englake.json_type_at('record', 'mail') }} end as type_of_mail
    from validated
),

classified as (
    select
        *,
        -- The same rule as ingest/classify.py: by content, never by the prefix the record was found under.
        case
            when json_type <> 'OBJECT' then null
            when type_of_event_type = 'STRING' then 'pinpoint'
            when (type_of_eventtype is not null or type_of_notificationtype is not null)
                and type_of_mail = 'OBJECT' then 'ses'
            when type_of_eventtype is not null and type_of_messageid is not null and type_of_mail is null then 'sms'
        end as producer
    from typed
)

select
    {{ englake.hash_key(['object_path', dbt.hash('record'), 'row_number() over (partition by object_path, ' ~ dbt.hash('record') ~ ' order by object_path)']) }} as record_id,
    producer,
    case
        when not is_valid_json then 'invalid JSON'
        when json_type <> 'OBJECT' then 'not a JSON object'
        when producer is null then 'unrecognized producer'
    end as quarantine_reason,
    record,
    object_path,
    source_prefix,
    datehour,
    {{ englake.datehour_to_timestamp('datehour') }} as ingested_at,
    cast({{ englake.datehour_to_timestamp('datehour') }} as date) as ingest_date
from classified
