{{ englake.event_view('email_click', ['ip_address', 'user_agent', 'link', 'link_tags', 'is_bot_event']) }}
