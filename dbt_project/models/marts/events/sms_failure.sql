{{ englake.event_view('sms_failure') }}
