{#- One row per outbound WhatsApp message (End User Messaging Social statuses): latest status, a final one (read,
    failed) first; the conversation it opened or continued and its pricing category (message_type). -#}
{{ englake.phone_message_status('whatsapp', {
    'conversation_id': 'max(conversation_id) over (partition by message_id)',
    'conversation_type': 'max(conversation_type) over (partition by message_id)',
}) }}
