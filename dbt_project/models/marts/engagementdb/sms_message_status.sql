{#- AWS engagement-database sample view `sms_message_status`, same name and columns, over its records (channel text). -#}
{%- set failed = ['TEXT_BLOCKED', 'TEXT_TTL_EXPIRED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID', 'TEXT_INVALID_MESSAGE',
                  'TEXT_CARRIER_BLOCKED', 'TEXT_UNREACHABLE', 'TEXT_SPAM', 'TEXT_UNKNOWN'] %}
{%- set columns = [] %}
{%- for event_type in ['TEXT_DELIVERED', 'TEXT_SUCCESSFUL', 'TEXT_QUEUED', 'TEXT_PENDING'] + failed %}
    {%- do columns.append((event_type | lower, event_type)) %}
{%- endfor %}
{{ englake.sample_message_status('text', columns,
    [('success', ['TEXT_DELIVERED', 'TEXT_SUCCESSFUL']), ('pending', ['TEXT_QUEUED', 'TEXT_PENDING']), ('failed', failed)]) }}
