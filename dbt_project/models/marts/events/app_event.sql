{#- Custom and SDK app events (sessions, sign-in, purchases, and whatever the app records: webinar registrations, product page views, …). -#}
select
    event_at as event_timestamp,
    producer_arrival_at as arrival_timestamp,
    application_id,
    endpoint_id,
    user_id,
    aws_account_id,
    raw_event_type as event_name,
    event_type,
    event_type = 'app_custom' as is_custom,
    session_id,
    session_started_at as session_start_time,
    session_stopped_at as session_stop_time,
    event_attributes,
    event_metrics,
    ingested_at as ingest_timestamp,
    event_id,
    producer
from {{ ref('fct_events') }}
where channel = 'app'
