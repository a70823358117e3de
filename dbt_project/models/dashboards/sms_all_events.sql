{#- The events dashboard's SMS view (`sms_all_events`): every SMS event of Pinpoint and End User Messaging. -#}
{{ englake.dashboard_view('sms', [
    'sender_request_id',
    'destination_phone_number',
    'record_status',
    'iso_country_code',
    'message_parts as number_of_message_parts',
    'message_id',
    'message_type',
    'origination_number as origination_phone_number',
    'price_in_millicents_usd',
]) }}
