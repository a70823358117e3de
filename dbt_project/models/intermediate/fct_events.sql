{#-
  One row per event of every producer, deduplicated, with bounce and complaint recipients fanned out (one row per
  recipient, as the reference's bounce views were). Parsed once and stored, so analyst queries never re-parse JSON.
  Incremental by arrival: each run reads records whose Firehose hour is within the lookback of the newest hour
  already here and adds the events not stored yet; an event already stored keeps its first arrival.
  It is the last intermediate step (union → fan-out → dedup); marts and the per-type views read it under this name.
-#}
{{ config(**englake.incremental_config('event_id', 'ingested_at', athena_strategy='append')) }}

{%- set since = englake.incremental_since('ingested_at') %}
{%- set derived = {
    'event_type': "coalesce(event_types.event_type, 'unknown')",
    'channel': "coalesce(event_types.channel, 'unknown')",
    'status_precedence': 'event_types.status_precedence',
    'recipient_address': 'fanned_out.recipient_email_address',
    'bounce_action': 'fanned_out.recipient_action',
    'bounce_status': 'fanned_out.recipient_status',
    'diagnostic_code': 'fanned_out.recipient_diagnostic_code',
    'is_final': 'coalesce(fanned_out.is_final, event_types.is_final)',
} %}

with staged as (
    select * from {{ ref('int_events_unioned') }}
    {%- if since %}
    where ingested_at >= {{ englake.timestamp_literal(since) }}
    {%- endif %}
),

fanned_out as (
    select
        staged.*,
        {%- for field in englake.recipient_fields() %}
        fan.{{ field }} as recipient_{{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ englake.each_element('staged', englake.array_or_single_null('staged.recipients'), 'fan', englake.recipient_fields()) }}
),

keyed as (
    select
        {{ englake.hash_key(['fanned_out.event_key', 'fanned_out.recipient_email_address']) }} as event_id,
        {%- for name in englake.fct_event_column_names() if name != 'event_id' %}
        {{ derived.get(name, 'fanned_out.' ~ name) }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from fanned_out
    left join {{ ref('event_types') }} as event_types
        on fanned_out.producer = event_types.producer
        and fanned_out.event_type_key = event_types.raw_event_type
),

deduplicated as (
    select
        *,
        row_number() over (partition by event_id order by ingested_at, record_id) as copy_number
    from keyed
)

select {{ englake.fct_event_column_names() | join(', ') }}
from deduplicated
where copy_number = 1
{%- if since %}
    {#- An event already stored (from this window's re-read or an earlier copy) is kept as it is: first arrival wins. #}
    and event_id not in (select event_id from {{ this }})
{%- endif %}
