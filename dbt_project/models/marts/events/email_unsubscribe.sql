{{ englake.event_view('email_unsubscribe', ['ip_address', 'user_agent', 'link', 'link_tags', englake.map_value('link_tags', 'unsubscribeLinkTag') ~ ' as unsubscribe_link_tag', 'unsubscribe_all']) }}
