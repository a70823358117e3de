{#- AWS engagement-database sample view `media_conversion_rates_view` (its ORDER BY dropped: a view has no order). -#}
{{ englake.sample_conversion_rates('media_message_status') }}
