{{ englake.event_view('email_rejected', ['reject_reason']) }}
