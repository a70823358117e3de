{#-
  The fields each producer's staging model reads from a raw record (see json_parse_fields). Numbers and times are
  read as their raw text ('varchar') and typed in the staging model with a check (event_columns.sql), so a value
  that does not parse or fits no timestamp flags the event instead of failing the build, and keys hash the text.
-#}

{% macro pinpoint_event_fields() %}
    {%- set mail = 'facets.email_channel.mail_event.' -%}
    {{ return([
        ('event_type', 'event_type', 'varchar'),
        ('event_timestamp', 'event_timestamp', 'varchar'),
        ('arrival_timestamp', 'arrival_timestamp', 'varchar'),
        ('event_version', 'event_version', 'varchar'),
        ('application_id', 'application.app_id', 'varchar'),
        ('client_id', 'client.client_id', 'varchar'),
        ('cognito_id', 'client.cognito_id', 'varchar'),
        ('aws_account_id', 'awsAccountId', 'varchar'),
        ('attributes', 'attributes', 'map'),
        ('metrics', 'metrics', 'map_double'),
        ('client_context_custom', 'client_context.custom', 'map'),
        ('session_id', 'session.session_id', 'varchar'),
        ('session_start_timestamp', 'session.start_timestamp', 'varchar'),
        ('session_stop_timestamp', 'session.stop_timestamp', 'varchar'),
        ('device_platform', 'device.platform.name', 'varchar'),
        ('device_make', 'device.make', 'varchar'),
        ('device_model', 'device.model', 'varchar'),
        ('device_locale', 'device.locale.code', 'varchar'),
        ('message_id', mail ~ 'mail.message_id', 'varchar'),
        ('message_send_timestamp', mail ~ 'mail.message_send_timestamp', 'varchar'),
        ('from_address', mail ~ 'mail.from_address', 'varchar'),
        ('destination', mail ~ 'mail.destination', 'array'),
        ('subject', mail ~ 'mail.common_headers.subject', 'varchar'),
        ('bounce_type', mail ~ 'bounce.bounce_type', 'varchar'),
        ('bounce_sub_type', mail ~ 'bounce.bounce_sub_type', 'varchar'),
        ('bounced_recipients', mail ~ 'bounce.bounced_recipients', 'objects:email_address,action,status,diagnostic_code'),
        ('bounce_feedback_id', mail ~ 'bounce.feedback_id', 'varchar'),
        ('bounce_reporting_mta', mail ~ 'bounce.reporting_mta', 'varchar'),
        ('complained_recipients', mail ~ 'complaint.complained_recipients', 'objects:email_address'),
        ('complaint_feedback_id', mail ~ 'complaint.feedback_id', 'varchar'),
        ('complaint_user_agent', mail ~ 'complaint.user_agent', 'varchar'),
        ('complaint_feedback_type', mail ~ 'complaint.complaint_feedback_type', 'varchar'),
        ('smtp_response', mail ~ 'delivery.smtp_response', 'varchar'),
        ('delivery_reporting_mta', mail ~ 'delivery.reporting_mta', 'varchar'),
        ('delivery_recipients', mail ~ 'delivery.recipients', 'array'),
        ('processing_time_millis', mail ~ 'delivery.processing_time_millis', 'varchar'),
        ('open_ip_address', mail ~ 'open.ip_address', 'varchar'),
        ('open_user_agent', mail ~ 'open.user_agent', 'varchar'),
        ('click_ip_address', mail ~ 'click.ip_address', 'varchar'),
        ('click_user_agent', mail ~ 'click.user_agent', 'varchar'),
        ('click_link', mail ~ 'click.link', 'varchar'),
        ('click_link_tags', mail ~ 'click.link_tags', 'map_of_arrays'),
        ('reject_reason', mail ~ 'reject.reason', 'varchar'),
    ]) }}
{% endmacro %}


{% macro ses_event_fields() %}
    {{ return([
        ('event_type', 'eventType', 'varchar'),
        ('notification_type', 'notificationType', 'varchar'),
        ('mail_timestamp', 'mail.timestamp', 'varchar'),
        ('message_id', 'mail.messageId', 'varchar'),
        ('source', 'mail.source', 'varchar'),
        ('source_arn', 'mail.sourceArn', 'varchar'),
        ('sending_account_id', 'mail.sendingAccountId', 'varchar'),
        ('destination', 'mail.destination', 'array'),
        ('headers_truncated', 'mail.headersTruncated', 'boolean'),
        ('header_from', 'mail.commonHeaders.from', 'array'),
        ('header_to', 'mail.commonHeaders.to', 'array'),
        ('subject', 'mail.commonHeaders.subject', 'varchar'),
        ('tags', 'mail.tags', 'map_of_arrays'),
        ('bounce_type', 'bounce.bounceType', 'varchar'),
        ('bounce_sub_type', 'bounce.bounceSubType', 'varchar'),
        ('bounced_recipients', 'bounce.bouncedRecipients', 'objects:emailAddress,action,status,diagnosticCode'),
        ('bounce_timestamp', 'bounce.timestamp', 'varchar'),
        ('bounce_feedback_id', 'bounce.feedbackId', 'varchar'),
        ('bounce_reporting_mta', 'bounce.reportingMTA', 'varchar'),
        ('bounce_remote_mta_ip', 'bounce.remoteMtaIp', 'varchar'),
        ('complained_recipients', 'complaint.complainedRecipients', 'objects:emailAddress'),
        ('complaint_timestamp', 'complaint.timestamp', 'varchar'),
        ('complaint_feedback_id', 'complaint.feedbackId', 'varchar'),
        ('complaint_user_agent', 'complaint.userAgent', 'varchar'),
        ('complaint_feedback_type', 'complaint.complaintFeedbackType', 'varchar'),
        ('complaint_sub_type', 'complaint.complaintSubType', 'varchar'),
        ('delivery_timestamp', 'delivery.timestamp', 'varchar'),
        ('processing_time_millis', 'delivery.processingTimeMillis', 'varchar'),
        ('delivery_recipients', 'delivery.recipients', 'array'),
        ('smtp_response', 'delivery.smtpResponse', 'varchar'),
        ('delivery_reporting_mta', 'delivery.reportingMTA', 'varchar'),
        ('delivery_remote_mta_ip', 'delivery.remoteMtaIp', 'varchar'),
        ('reject_reason', 'reject.reason', 'varchar'),
        ('open_ip_address', 'open.ipAddress', 'varchar'),
        ('open_timestamp', 'open.timestamp', 'varchar'),
        ('open_user_agent', 'open.userAgent', 'varchar'),
        ('open_is_bot_event', 'open.isBotEvent', 'varchar'),
        ('click_ip_address', 'click.ipAddress', 'varchar'),
        ('click_timestamp', 'click.timestamp', 'varchar'),
        ('click_user_agent', 'click.userAgent', 'varchar'),
        ('click_link', 'click.link', 'varchar'),
        ('click_link_tags', 'click.linkTags', 'map_of_arrays'),
        ('click_is_bot_event', 'click.isBotEvent', 'varchar'),
        ('failure_error_message', 'failure.errorMessage', 'varchar'),
        ('failure_template_name', 'failure.templateName', 'varchar'),
        ('delay_timestamp', 'deliveryDelay.timestamp', 'varchar'),
        ('delay_type', 'deliveryDelay.delayType', 'varchar'),
        ('delay_expiration_time', 'deliveryDelay.expirationTime', 'varchar'),
        ('delayed_recipients', 'deliveryDelay.delayedRecipients', 'objects:emailAddress,status,diagnosticCode'),
        ('delay_reporting_mta', 'deliveryDelay.reportingMTA', 'varchar'),
        ('subscription_contact_list', 'subscription.contactList', 'varchar'),
        ('subscription_timestamp', 'subscription.timestamp', 'varchar'),
        ('subscription_source', 'subscription.source', 'varchar'),
        ('subscription_unsubscribe_all', 'subscription.newTopicPreferences.unsubscribeAll', 'varchar'),
        ('subscription_topics', 'subscription.newTopicPreferences.topicSubscriptionStatus', 'objects:topicName,subscriptionStatus'),
    ]) }}
{% endmacro %}


{% macro sms_event_fields() %}
    {{ return([
        ('event_type', 'eventType', 'varchar'),
        ('event_version', 'eventVersion', 'varchar'),
        ('event_timestamp', 'eventTimestamp', 'varchar'),
        ('is_final', 'isFinal', 'varchar'),
        ('origination_phone_number', 'originationPhoneNumber', 'varchar'),
        ('origination_number', 'originationNumber', 'varchar'),
        ('destination_phone_number', 'destinationPhoneNumber', 'varchar'),
        ('is_international_send', 'isInternationalSend', 'varchar'),
        ('iso_country_code', 'isoCountryCode', 'varchar'),
        ('mcc', 'mcc', 'varchar'),
        ('mnc', 'mnc', 'varchar'),
        ('message_id', 'messageId', 'varchar'),
        ('message_request_timestamp', 'messageRequestTimestamp', 'varchar'),
        ('message_encoding', 'messageEncoding', 'varchar'),
        ('message_type', 'messageType', 'varchar'),
        ('message_status', 'messageStatus', 'varchar'),
        ('message_status_description', 'messageStatusDescription', 'varchar'),
        ('context', 'context', 'map'),
        ('total_message_parts', 'totalMessageParts', 'varchar'),
        ('total_message_price', 'totalMessagePrice', 'varchar'),
        ('total_carrier_fee', 'totalCarrierFee', 'varchar'),
        ('call_duration_seconds', 'callDurationInSeconds', 'varchar'),
        ('protect_configuration_id', 'protectConfiguration.protectConfigurationId', 'varchar'),
        ('protect_status', 'protectConfiguration.protectStatus', 'varchar'),
        ('protect_recommendation', 'protectConfigurationAssessment.protectRecommendation', 'varchar'),
    ]) }}
{% endmacro %}


{#-
  The engagement database sample's normalised record (its Velocity templates). rawEvent is read in staging: its
  templates spell it rawEvent, its Glue table rawevent, and DuckDB's json_transform matches keys without case.
-#}
{% macro engagementdb_record_fields() %}
    {{ return([
        ('account_id', 'accountId', 'varchar'),
        ('organization_id', 'organizationId', 'varchar'),
        ('sending_id', 'sendingId', 'varchar'),
        ('sending_address', 'sendingAddress', 'varchar'),
        ('destination_address', 'destinationAddress', 'array'),
        ('channel', 'channel', 'varchar'),
        ('type', 'type', 'varchar'),
        ('status', 'status', 'varchar'),
        ('status_code', 'statusCode', 'varchar'),
        ('status_message', 'statusMessage', 'varchar'),
        ('raw_status', 'rawStatus', 'varchar'),
        ('iso_country_code', 'isoCountryCode', 'varchar'),
        ('timestamp', 'timestamp', 'varchar'),
        ('message_id', 'messageId', 'varchar'),
        ('tags', 'tags', 'map'),
        ('channel_data', 'channelData', 'map'),
    ]) }}
{% endmacro %}


{% macro endpoint_export_fields() %}
    {{ return([
        ('endpoint_id', 'Id', 'varchar'),
        ('application_id', 'ApplicationId', 'varchar'),
        ('channel_type', 'ChannelType', 'varchar'),
        ('address', 'Address', 'varchar'),
        ('endpoint_status', 'EndpointStatus', 'varchar'),
        ('opt_out', 'OptOut', 'varchar'),
        ('effective_date', 'EffectiveDate', 'varchar'),
        ('creation_date', 'CreationDate', 'varchar'),
        ('attributes', 'Attributes', 'map_of_arrays'),
        ('user_id', 'User.UserId', 'varchar'),
        ('user_attributes', 'User.UserAttributes', 'map_of_arrays'),
        ('timezone', 'Demographic.Timezone', 'varchar'),
        ('country', 'Location.Country', 'varchar'),
        ('cohort_id', 'CohortId', 'varchar'),
    ]) }}
{% endmacro %}


{#- A producer's records from stg_lake__records, each parsed once into `parsed` (see json_parse_fields). -#}
{% macro parsed_records(producer, fields) -%}
    select
        record_id,
        ingested_at,
        ingest_date,
        {{ englake.json_parse_fields('record', fields) }} as parsed
    from {{ ref('stg_lake__records') }}
    where producer = {{ englake.string_literal(producer) }}
{%- endmacro %}


{#- Campaign (CampaignResponse) and journey (JourneyResponse) fields of the Pinpoint catalog export. -#}
{% macro campaign_catalog_fields() %}
    {{ return([
        ('id', 'Id', 'varchar'),
        ('name', 'Name', 'varchar'),
        ('application_id', 'ApplicationId', 'varchar'),
        ('description', 'Description', 'varchar'),
        ('creation_date', 'CreationDate', 'varchar'),
    ]) }}
{% endmacro %}
