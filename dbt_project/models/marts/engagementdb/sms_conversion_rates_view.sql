{#- AWS engagement-database sample view `sms_conversion_rates_view`, same name and columns. -#}
{{ englake.sample_conversion_rates('sms_message_status') }}
