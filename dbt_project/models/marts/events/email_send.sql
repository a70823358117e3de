{{ englake.event_view('email_send') }}
