{#- One row per voice message (a call; End User Messaging VOICE_* events): latest status, final receipt first, and
    the call's duration where the events carry it (callDurationInSeconds, the final receipt's, else any). -#}
{{ englake.phone_message_status('voice', {
    'call_duration_seconds': 'max(call_duration_seconds) over (partition by message_id)',
}) }}
