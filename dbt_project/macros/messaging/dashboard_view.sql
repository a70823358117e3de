{#-
  One of the events dashboard's views (reference Event_dashboard.yaml): the rows of fct_events of one channel, with
  the reference's leading columns (event_type as the producer wrote it, event and arrival time, application,
  endpoint, campaign and treatment, account), then `extra_columns` (fct_events names, optionally "expr as name"),
  then the message tags and the ingest time. Each dashboard view file is one call.
-#}
{% macro dashboard_view(channel, extra_columns=[], campaign_columns=true) -%}
select
    raw_event_type as event_type,
    event_at as event_timestamp,
    producer_arrival_at as arrival_timestamp,
    application_id,
    endpoint_id,
    {%- if campaign_columns %}
    campaign_id as pinpoint_campaign_id,
    treatment_id as pinpoint_treatment_id,
    {%- endif %}
    aws_account_id,
    {%- for column in extra_columns %}
    {{ column }},
    {%- endfor %}
    message_tags,
    ingested_at as ingest_timestamp,
    event_id,
    producer,
    event_type as canonical_event_type
from {{ ref('fct_events') }}
where channel = '{{ channel }}'
{%- endmacro %}
