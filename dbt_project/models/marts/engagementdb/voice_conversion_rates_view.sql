{#- AWS engagement-database sample view `voice_conversion_rates_view`, same name and columns. -#}
{{ englake.sample_conversion_rates('voice_message_status', voice=true) }}
