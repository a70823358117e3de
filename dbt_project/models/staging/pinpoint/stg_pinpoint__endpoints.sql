{#-
  Pinpoint endpoints from the newest endpoint export of each application in the lake (CreateExportJob format),
  one row per endpoint. This is how the models, the segments and the sync know which endpoints exist.
  A table, not a view: dim_endpoints and int_email_engagement_by_endpoint (twice) read it, and parsing the export
  once per run instead of three times was most of their time on an incremental hour.
-#}
{{ config(materialized='table') }}
{%- set fields = englake.endpoint_export_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with lines as (
    select
        line,
        object_path,
        -- endpoints/<application_id>/<export_id>/<file>
        {{ englake.regexp_extract_or_null('object_path', 'endpoints/([^/]+)/(.+)/[^/]+$', 2) }} as export_id
    from ({{ englake.lake_endpoint_export_lines() }}) as exported
    where {{ englake.trim_whitespace('line') }} <> '' and {{ englake.json_is_valid('line') }}
),

parsed as (
    select export_id, object_path, {{ englake.json_parse_fields('line', fields) }} as parsed
    from lines
),

renamed as (
    select
        {{ f.endpoint_id }} as endpoint_id,
        {{ f.application_id }} as application_id,
        upper({{ f.channel_type }}) as channel_type,
        {{ f.address }} as address,
        lower({{ englake.trim_whitespace(f.address) }}) as address_key,
        {{ f.endpoint_status }} as endpoint_status,
        {{ f.opt_out }} as opt_out,
        {{ f.user_id }} as user_id,
        {{ f.attributes }} as attributes,
        {{ f.user_attributes }} as user_attributes,
        {{ f.timezone }} as timezone,
        {{ f.country }} as country,
        {{ f.cohort_id }} as cohort_id,
        {{ englake.iso8601_to_timestamp(f.effective_date) }} as effective_at,
        {{ englake.iso8601_to_timestamp(f.creation_date) }} as created_at,
        export_id,
        object_path
    from parsed
),

newest as (
    select
        *,
        max(export_id) over (partition by application_id) as newest_export_id
    from renamed
)

select * from newest
where export_id = newest_export_id
