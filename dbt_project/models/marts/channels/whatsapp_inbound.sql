{#- One row per inbound WhatsApp message (a customer writing to the business number), as End User Messaging Social
    delivers it; destination_phone_number is the customer's number, record_status the message type (text, image…). -#}
{{ englake.event_view('whatsapp_received') }}
