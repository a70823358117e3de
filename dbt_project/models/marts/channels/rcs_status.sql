{#- One row per RCS message (End User Messaging RCS_* events): latest status, final receipt first (a read receipt
    outranks the delivery before it; a fallback to SMS is final). -#}
{{ englake.phone_message_status('rcs') }}
