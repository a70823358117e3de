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
        record,
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
        {{ f.processing_time_millis }} as processing_time_millis,
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

select
    record_id,
    cast('ses' as {{ englake.sql_type('varchar') }}) as producer,
    raw_event_type,
    -- Bounces map by type (Permanent → hard, Transient/Undetermined → soft); subscriptions by direction.
    case
        when raw_event_type = 'Bounce' then 'Bounce.' || coalesce(bounce_type, 'Undetermined')
        when raw_event_type = 'Subscription' and (unsubscribe_all or opted_out_of_a_topic) then 'Subscription.OptOut'
        when raw_event_type = 'Subscription' then 'Subscription.OptIn'
        else raw_event_type
    end as event_type_key,
    {{ englake.hash_key(["'ses'", 'raw_event_type', 'message_id', 'event_timestamp_text', 'feedback_id', 'link',
                         'ip_address', 'user_agent', englake.array_join_text('event_recipients'),
                         englake.array_join_text(englake.array_transform('coalesce(bounced_recipients, complained_recipients)', 'r', 'r.email_address'))]) }} as event_key,
    {{ englake.iso8601_to_timestamp('event_timestamp_text') }} as event_at,
    {{ englake.typed_null('timestamp') }} as producer_arrival_at,
    ingested_at,
    ingest_date,
    {{ englake.typed_null('varchar') }} as application_id,
    {{ englake.typed_null('varchar') }} as endpoint_id,
    {{ englake.typed_null('varchar') }} as user_id,
    aws_account_id,
    campaign_id,
    {{ englake.typed_null('varchar') }} as campaign_activity_id,
    treatment_id,
    {{ englake.typed_null('varchar') }} as journey_id,
    {{ englake.typed_null('varchar') }} as journey_run_id,
    {{ englake.typed_null('varchar') }} as journey_activity_id,
    {{ englake.typed_null('varchar') }} as journey_send_status,
    {{ englake.typed_null('varchar') }} as campaign_send_status,
    {{ englake.typed_null('varchar') }} as delivery_type,
    message_id,
    {{ englake.iso8601_to_timestamp('mail_timestamp') }} as message_sent_at,
    coalesce({{ englake.array_at('header_from', 1) }}, source) as from_address,
    destination,
    subject,
    configuration_set,
    case
        when raw_event_type = 'Bounce' then bounced_recipients
        when raw_event_type = 'Complaint' then complained_recipients
    end as recipients,
    event_recipients,
    bounce_type,
    bounce_sub_type,
    feedback_id,
    reporting_mta,
    remote_mta_ip,
    complaint_feedback_type,
    complaint_sub_type,
    ip_address,
    user_agent,
    link,
    link_tags,
    is_bot_event,
    smtp_response,
    processing_time_millis,
    reject_reason,
    rendering_error,
    template_name,
    delay_type,
    {{ englake.iso8601_to_timestamp('delay_expiration_time') }} as delay_expires_at,
    unsubscribe_all,
    {{ englake.typed_null('varchar') }} as sender_request_id,
    {{ englake.typed_null('varchar') }} as origination_number,
    {{ englake.typed_null('varchar') }} as destination_phone_number,
    {{ englake.typed_null('varchar') }} as record_status,
    {{ englake.typed_null('varchar') }} as status_description,
    {{ englake.typed_null('varchar') }} as iso_country_code,
    {{ englake.typed_null('bigint') }} as message_parts,
    {{ englake.typed_null('varchar') }} as message_type,
    {{ englake.typed_null('varchar') }} as message_encoding,
    {{ englake.typed_null('boolean') }} as is_final,
    {{ englake.typed_null('double') }} as price_in_millicents_usd,
    {{ englake.typed_null('double') }} as total_message_price,
    {{ englake.typed_null('double') }} as total_carrier_fee,
    {{ englake.typed_null('timestamp') }} as message_requested_at,
    {{ englake.typed_null('varchar') }} as session_id,
    {{ englake.typed_null('timestamp') }} as session_started_at,
    {{ englake.typed_null('timestamp') }} as session_stopped_at,
    {{ englake.typed_null('varchar_map') }} as event_attributes,
    {{ englake.typed_null('double_map') }} as event_metrics,
    {{ englake.tags_to_varchar_map('tags') }} as message_tags,
    tags as ses_tags,
    record
from renamed
