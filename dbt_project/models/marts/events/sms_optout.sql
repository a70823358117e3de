{{ englake.event_view('sms_optout') }}
