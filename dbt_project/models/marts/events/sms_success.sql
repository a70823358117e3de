{{ englake.event_view('sms_success') }}
