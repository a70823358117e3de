{{ englake.event_view('email_delivered', ['smtp_response', 'reporting_mta', 'event_recipients as recipients', 'processing_time_millis', 'remote_mta_ip']) }}
