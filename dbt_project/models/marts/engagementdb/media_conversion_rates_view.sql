{#- AWS engagement-database sample view `media_conversion_rates_view`, same name and columns. -#}
{{ englake.sample_conversion_rates('media_message_status') }}
