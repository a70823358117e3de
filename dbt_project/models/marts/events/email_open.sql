{{ englake.event_view('email_open', ['ip_address', 'user_agent', 'is_bot_event']) }}
