{#- One row per MMS message (End User Messaging MEDIA_* events): latest status, final receipt first; price, parts. -#}
{{ englake.phone_message_status('mms') }}
