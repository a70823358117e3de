{#- One row per Pinpoint endpoint of the newest export (channel, address, user, attributes). -#}
select
    {{ englake.hash_key(['application_id', 'endpoint_id']) }} as endpoint_key,
    endpoint_id,
    application_id,
    channel_type,
    address,
    address_key,
    endpoint_status,
    opt_out,
    user_id,
    attributes,
    user_attributes,
    timezone,
    country,
    cohort_id,
    effective_at,
    created_at,
    export_id
from {{ ref('stg_pinpoint__endpoints') }}
