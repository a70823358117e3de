{#- One row per SMS message: its latest status, a final carrier receipt first (the reference ignored isFinal). -#}
{{ englake.phone_message_status('sms') }}
