{{ englake.event_view('sms_buffered') }}
