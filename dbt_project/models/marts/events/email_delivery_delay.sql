{{ englake.event_view('email_delivery_delay', ['delay_type', 'delay_expires_at', 'reporting_mta', 'event_recipients as recipients']) }}
