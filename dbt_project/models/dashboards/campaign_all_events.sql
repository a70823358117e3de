{#- The events dashboard's campaign view (`campaign_all_events`): Pinpoint `_campaign.*` events. -#}
{{ englake.dashboard_view('campaign', ['delivery_type', 'campaign_send_status']) }}
