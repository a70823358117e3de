{#-
  The records of AWS's engagement-database sample as its Glue table shows them (lower-case column names, epoch-ms
  `timestamp`), one row per raw record, plus
  englake's record id, arrival and raw event type. The sample's 11 views read these columns. Its `ingest_timestamp`
  is the hour partition its Firehose transformer derives from each record's own `timestamp` (UTC), not the arrival.
  channeldata keeps its keys as the templates write them (totalMessagePrice, …); the sample's views read them
  lower-cased through its Glue SerDe, these views by the written name (the same values).
-#}
{%- set fields = englake.engagementdb_record_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with parsed as (
    select
        record_id,
        ingested_at,
        ingest_date,
        {{ englake.json_parse_fields('record', fields) }} as parsed,
        coalesce({{ englake.json_scalar('record', '$.rawEvent') }}, {{ englake.json_scalar('record', '$.rawevent') }}) as rawevent
    from {{ ref('stg_lake__records') }}
    where producer = 'engagementdb'
)

select
    record_id,
    ingested_at,
    ingest_date,
    {{ dbt.date_trunc('hour', englake.epoch_ms_from_text(f.timestamp)) }} as ingest_timestamp,
    {{ f.account_id }} as accountid,
    {{ f.organization_id }} as organizationid,
    {{ f.sending_id }} as sendingid,
    {{ f.sending_address }} as sendingaddress,
    {{ f.destination_address }} as destinationaddress,
    {{ f.channel }} as channel,
    {{ f.type }} as type,
    {{ f.status }} as status,
    {{ f.status_code }} as statuscode,
    {{ f.status_message }} as statusmessage,
    {{ f.raw_status }} as rawstatus,
    {{ f.iso_country_code }} as isocountrycode,
    {{ englake.try_parse_bigint(f.timestamp) }} as timestamp,
    {{ f.timestamp }} as timestamp_text,
    {{ f.message_id }} as messageid,
    {{ f.tags }} as tags,
    {{ f.channel_data }} as channeldata,
    rawevent,
    {{ englake.engagementdb_event_type(f.channel, f.type, f.status, f.status_code) }} as raw_event_type
from parsed
