{#-
  Amazon Pinpoint campaigns and journeys as exported to the lake (GetCampaigns / ListJourneys responses, one per
  line, under catalog/pinpoint/<application_id>/campaigns.ndjson and journeys.ndjson): their ids and names.
-#}
{%- set fields = englake.campaign_catalog_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with lines as (
    select
        line,
        object_path,
        case when object_path like '%journeys.ndjson' then 'journey' else 'campaign' end as kind
    from ({{ englake.lake_campaign_catalog_lines() }}) as exported
    where {{ englake.trim_whitespace('line') }} <> '' and {{ englake.json_is_valid('line') }}
),

parsed as (
    select kind, object_path, {{ englake.json_parse_fields('line', fields) }} as parsed
    from lines
)

select
    {{ f.id }} as campaign_id,
    {{ f.name }} as campaign_name,
    kind,
    {{ f.application_id }} as application_id,
    {{ f.description }} as description,
    {{ englake.iso8601_to_timestamp(f.creation_date) }} as created_at,
    object_path
from parsed
where {{ f.id }} is not null
