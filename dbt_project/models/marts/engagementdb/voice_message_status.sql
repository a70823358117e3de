{#- AWS engagement-database sample view `voice_message_status`, same name and columns, over its records (channel voice). -#}
{%- set columns = [] %}
{%- for event_type in ['VOICE_INITIATED', 'VOICE_RINGING', 'VOICE_ANSWERED', 'VOICE_COMPLETED', 'VOICE_BUSY',
                       'VOICE_NO_ANSWER', 'VOICE_TTL_EXPIRED', 'VOICE_FAILED'] %}
    {%- do columns.append((event_type | lower, event_type)) %}
{%- endfor %}
{{ englake.sample_message_status('voice', columns,
    [('success', ['VOICE_COMPLETED', 'VOICE_ANSWERED']),
     ('failed', ['VOICE_TTL_EXPIRED', 'VOICE_BUSY', 'VOICE_NO_ANSWER', 'VOICE_FAILED'])], voice=true) }}
