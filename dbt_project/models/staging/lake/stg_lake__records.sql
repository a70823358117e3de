{#-
  Every record of the raw lake, parsed once: one row per record (a Firehose line, or each of several JSON objects
  run together on one line, see split_records), classified by producer from its content, with the text kept so no
  field AWS adds is ever lost. Records that are not JSON objects or match no producer keep a quarantine_reason (see
  lake_quarantine). Objects are named by their key under the lake root, so a moved lake keeps its record ids.
  The first load reads every folder (unless englake__start_datehour bounds it); later runs the lookback.
-#}
{{ config(**englake.incremental_config('record_id', 'ingested_at', athena_strategy='append')) }}
{%- set since = englake.lake_since_datehour(this) %}

with lines as (
    {%- for producer in var('englake__producers') %}
    select {{ englake.trim_whitespace('line') }} as trimmed, object_key, datehour, '{{ producer }}' as source_prefix
    from ({{ englake.lake_raw_lines(producer, since, stored=this if englake.is_incremental_run() else none) }}) as raw_{{ producer }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

records as (
    select
        lines.object_key,
        lines.datehour,
        lines.source_prefix,
        record
    from {{ englake.each_element('lines', englake.split_records('lines.trimmed'), 'record') }}
    where lines.trimmed <> ''
),

typed as (
    select
        *,
        -- One parse for the validity and all the keys the classification looks at.
        {{ englake.record_json_types('record', ['', 'event_type', 'eventType', 'notificationType', 'messageId', 'mail', 'whatsAppWebhookEntry', 'channel', 'rawEvent', 'rawevent']) }} as json_types
    from records
),

present as (
    select
        *,
        json_types is not null as is_valid_json,
        {{ englake.array_at('json_types', 1) }} as json_type,
        -- A key holding JSON null counts as absent, as in ingest/classify.py.
        {%- for name, index in [('event_type', 2), ('eventtype', 3), ('notificationtype', 4), ('messageid', 5), ('mail', 6), ('raw_event', 9), ('rawevent', 10)] %}
        coalesce({{ englake.array_at('json_types', index) }}, 'NULL') <> 'NULL' as has_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from typed
),

classified as (
    select
        *,
        -- The same rule as ingest/classify.py: by content, never by the prefix the record was found under.
        case
            when json_type <> 'OBJECT' then null
            when {{ englake.array_at('json_types', 2) }} = 'STRING' then 'pinpoint'
            when (has_eventtype or has_notificationtype) and {{ englake.array_at('json_types', 6) }} = 'OBJECT' then 'ses'
            when {{ englake.array_at('json_types', 7) }} = 'STRING' then 'social'
            when {{ englake.array_at('json_types', 8) }} = 'STRING' and (has_raw_event or has_rawevent) then 'engagementdb'
            when has_eventtype and has_messageid and not has_mail then 'sms'
        end as producer,
        {{ dbt.hash('record') }} as record_hash
    from present
),

keyed as (
    select
        {{ englake.hash_key(['object_key', 'record_hash', 'row_number() over (partition by object_key, record_hash order by object_key)']) }} as record_id,
        producer,
        case
            when not is_valid_json then 'invalid JSON'
            when json_type <> 'OBJECT' then 'not a JSON object'
            when producer is null then 'unrecognized producer'
        end as quarantine_reason,
        record,
        object_key,
        source_prefix,
        datehour,
        {{ englake.datehour_to_timestamp('datehour') }} as ingested_at,
        cast({{ englake.datehour_to_timestamp('datehour') }} as date) as ingest_date
    from classified
)

select * from keyed
{%- if englake.is_incremental_run() %}
-- Records already stored (an object re-read within the lookback) are not written again.
where record_id not in (
    select record_id from {{ this }}
    {%- if since %}
    {#- The partition column bounds the stored rows read (Iceberg prunes by day(ingested_at)), datehour the rest. #}
    where ingested_at >= {{ englake.timestamp_literal(since[0:4] ~ '-' ~ since[5:7] ~ '-' ~ since[8:10] ~ ' ' ~ since[11:13] ~ ':00:00') }}
        and datehour >= {{ englake.string_literal(since) }}
    {%- endif %}
)
{%- endif %}
