{#- AWS engagement-database sample view `sms_conversion_rates_view` (its ORDER BY dropped: a view has no order). -#}
{{ englake.sample_conversion_rates('sms_message_status') }}
