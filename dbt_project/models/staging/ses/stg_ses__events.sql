{#-
  Amazon SES records: configuration-set event publishing (`eventType`) and identity notifications
  (`notificationType`), typed and renamed into the canonical event columns. One row per raw record.
-#}
{%- set fields = englake.ses_event_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with parsed as (
    {{ englake.parsed_records('ses', fields) }}
),

renamed as (
    select
        record_id,
        ingested_at,
        ingest_date,
        coalesce({{ f.event_type }}, {{ f.notification_type }}) as raw_event_type,
        {{ f.mail_timestamp }} as mail_timestamp,
        -- The event's own time: each event object carries one; Send, Reject and Rendering Failure use the mail's.
        coalesce(
            {{ f.bounce_timestamp }}, {{ f.complaint_timestamp }}, {{ f.delivery_timestamp }},
            {{ f.open_timestamp }}, {{ f.click_timestamp }}, {{ f.delay_timestamp }},
            {{ f.subscription_timestamp }}, {{ f.mail_timestamp }}
        ) as event_timestamp_text,
        {{ f.message_id }} as message_id,
        {{ f.source }} as source,
        {{ f.sending_account_id }} as aws_account_id,
        {{ f.destination }} as destination,
        {{ f.header_from }} as header_from,
        {{ f.subject }} as subject,
        {{ f.tags }} as tags,
        -- Tag keys are the real ones (`ses:configuration-set`), read from a map: the reference's struct columns
        -- named ses_configuration_set could never match them.
        {{ englake.map_first_value(f.tags, 'ses:configuration-set') }} as configuration_set,
        coalesce({{ englake.map_first_value(f.tags, 'campaign') }}, {{ englake.map_first_value(f.tags, 'campaign_id') }}) as campaign_id,
        coalesce({{ englake.map_first_value(f.tags, 'treatment') }}, {{ englake.map_first_value(f.tags, 'treatment_id') }}) as treatment_id,
        {{ f.bounce_type }} as bounce_type,
        {{ f.bounce_sub_type }} as bounce_sub_type,
        {{ englake.recipients_from_objects(f.bounced_recipients, ['emailAddress', 'action', 'status', 'diagnosticCode']) }} as bounced_recipients,
        {{ englake.recipients_from_objects(f.complained_recipients, ['emailAddress', none, none, none]) }} as complained_recipients,
        coalesce({{ f.bounce_feedback_id }}, {{ f.complaint_feedback_id }}) as feedback_id,
        coalesce({{ f.bounce_reporting_mta }}, {{ f.delivery_reporting_mta }}, {{ f.delay_reporting_mta }}) as reporting_mta,
        coalesce({{ f.bounce_remote_mta_ip }}, {{ f.delivery_remote_mta_ip }}) as remote_mta_ip,
        {{ f.complaint_feedback_type }} as complaint_feedback_type,
        {{ f.complaint_sub_type }} as complaint_sub_type,
        coalesce(
            {{ f.delivery_recipients }},
            {{ englake.array_transform(f.delayed_recipients, 'r', englake.object_key('r', 'emailAddress')) }}
        ) as event_recipients,
        {{ f.smtp_response }} as smtp_response,
        {{ f.processing_time_millis }} as processing_time_text,
        coalesce({{ f.open_ip_address }}, {{ f.click_ip_address }}) as ip_address,
        coalesce({{ f.open_user_agent }}, {{ f.click_user_agent }}, {{ f.complaint_user_agent }}) as user_agent,
        coalesce({{ f.open_is_bot_event }}, {{ f.click_is_bot_event }}) as is_bot_event,
        {{ f.click_link }} as link,
        {{ f.click_link_tags }} as link_tags,
        {{ f.reject_reason }} as reject_reason,
        {{ f.failure_error_message }} as rendering_error,
        {{ f.failure_template_name }} as template_name,
        {{ f.delay_type }} as delay_type,
        {{ f.delay_expiration_time }} as delay_expiration_time,
        lower({{ f.subscription_unsubscribe_all }}) = 'true' as unsubscribe_all,
        coalesce({{ englake.array_contains(
            englake.array_transform(f.subscription_topics, 't', englake.object_key('t', 'subscriptionStatus')),
            "'OptOut'") }}, false) as opted_out_of_a_topic
    from parsed
)

{#- Bounces map to the seed by type (Permanent → hard, Transient/Undetermined → soft); subscriptions by direction. -#}
{%- set recipient_addresses = englake.array_join_text(englake.array_transform('coalesce(bounced_recipients, complained_recipients)', 'r', 'r.email_address')) -%}
select
{{ englake.fill_event_columns({
    'record_id': 'record_id',
    'producer': "'ses'",
    'raw_event_type': 'raw_event_type',
    'event_type_key': "case when raw_event_type = 'Bounce' then 'Bounce.' || coalesce(bounce_type, 'Undetermined') when raw_event_type = 'Subscription' and (unsubscribe_all or opted_out_of_a_topic) then 'Subscription.OptOut' when raw_event_type = 'Subscription' then 'Subscription.OptIn' else raw_event_type end",
    'event_key': englake.hash_key(["'ses'", 'raw_event_type', 'message_id', 'event_timestamp_text', 'feedback_id', 'link',
                                   'ip_address', 'user_agent', englake.array_join_text('event_recipients'), recipient_addresses]),
    'invalid_fields': englake.invalid_fields([
        ('timestamp', 'event_timestamp_text', englake.iso8601_to_timestamp('event_timestamp_text')),
        ('mail.timestamp', 'mail_timestamp', englake.iso8601_to_timestamp('mail_timestamp')),
        ('deliveryDelay.expirationTime', 'delay_expiration_time', englake.iso8601_to_timestamp('delay_expiration_time')),
        ('delivery.processingTimeMillis', 'processing_time_text', englake.bigint_from_text('processing_time_text')),
    ]),
    'event_at': englake.iso8601_to_timestamp('event_timestamp_text'),
    'ingested_at': 'ingested_at',
    'ingest_date': 'ingest_date',
    'aws_account_id': 'aws_account_id',
    'campaign_id': 'campaign_id',
    'treatment_id': 'treatment_id',
    'message_id': 'message_id',
    'message_sent_at': englake.iso8601_to_timestamp('mail_timestamp'),
    'from_address': 'coalesce(' ~ englake.array_at('header_from', 1) ~ ', source)',
    'destination': 'destination',
    'subject': 'subject',
    'configuration_set': 'configuration_set',
    'recipients': "case when raw_event_type = 'Bounce' then bounced_recipients when raw_event_type = 'Complaint' then complained_recipients end",
    'event_recipients': 'event_recipients',
    'bounce_type': 'bounce_type',
    'bounce_sub_type': 'bounce_sub_type',
    'feedback_id': 'feedback_id',
    'reporting_mta': 'reporting_mta',
    'remote_mta_ip': 'remote_mta_ip',
    'complaint_feedback_type': 'complaint_feedback_type',
    'complaint_sub_type': 'complaint_sub_type',
    'ip_address': 'ip_address',
    'user_agent': 'user_agent',
    'link': 'link',
    'link_tags': 'link_tags',
    'is_bot_event': 'is_bot_event',
    'smtp_response': 'smtp_response',
    'processing_time_millis': englake.bigint_from_text('processing_time_text'),
    'reject_reason': 'reject_reason',
    'rendering_error': 'rendering_error',
    'template_name': 'template_name',
    'delay_type': 'delay_type',
    'delay_expires_at': englake.iso8601_to_timestamp('delay_expiration_time'),
    'unsubscribe_all': 'unsubscribe_all',
    'message_tags': englake.tags_to_varchar_map('tags'),
    'ses_tags': 'tags',
}) }}
from renamed
