{{ englake.event_view('journey_send', ['journey_run_id', 'journey_send_status']) }}
