{#- AWS engagement-database sample view `media_message_status`, same name and columns, over its records (channel media). -#}
{%- set failed = ['MEDIA_BLOCKED', 'MEDIA_TTL_EXPIRED', 'MEDIA_CARRIER_UNREACHABLE', 'MEDIA_INVALID', 'MEDIA_INVALID_MESSAGE',
                  'MEDIA_CARRIER_BLOCKED', 'MEDIA_UNREACHABLE', 'MEDIA_SPAM', 'MEDIA_UNKNOWN', 'MEDIA_FILE_TYPE_UNSUPPORTED',
                  'MEDIA_FILE_SIZE_EXCEEDED', 'MEDIA_FILE_INACCESSIBLE'] %}
{{ englake.sample_message_status('media',
    [('media_delivered', 'MEDIA_DELIVERED'), ('media_successful', 'MEDIA_SUCCESSFUL'), ('media_queued', 'MEDIA_QUEUED'),
     ('media_pending', 'MEDIA_PENDING'), ('media_blocked', 'MEDIA_BLOCKED'), ('media_ttl_expired', 'MEDIA_TTL_EXPIRED'),
     ('media_carrier_unreachable', 'MEDIA_CARRIER_UNREACHABLE'), ('media_invalid', 'MEDIA_INVALID'),
     ('media_invalid_message', 'MEDIA_INVALID_MESSAGE'), ('media_carrier_blocked', 'MEDIA_CARRIER_BLOCKED'),
     ('media_unreachable', 'MEDIA_UNREACHABLE'), ('media_spam', 'MEDIA_SPAM'), ('media_unknown', 'MEDIA_UNKNOWN'),
     ('media_type_unsupported', 'MEDIA_FILE_TYPE_UNSUPPORTED'), ('media_size_exceeded', 'MEDIA_FILE_SIZE_EXCEEDED'),
     ('media_inaccessible', 'MEDIA_FILE_INACCESSIBLE')],
    [('success', ['MEDIA_DELIVERED', 'MEDIA_SUCCESSFUL']), ('pending', ['MEDIA_QUEUED', 'MEDIA_PENDING']), ('failed', failed)]) }}
