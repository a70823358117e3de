{{ config(materialized='view') }}
{#- Records that could not become events, with the object they came from and why. Nothing is dropped silently. -#}
select
    record_id,
    quarantine_reason,
    object_path,
    source_prefix,
    datehour,
    ingested_at,
    record
from {{ ref('stg_lake__records') }}
where quarantine_reason is not null
