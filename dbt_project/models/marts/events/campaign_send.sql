{{ englake.event_view('campaign_send', ['campaign_send_status', 'delivery_type']) }}
