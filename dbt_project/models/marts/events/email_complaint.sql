{{ englake.event_view('email_complaint', ['recipient_address as complained_email_address', 'feedback_id', 'user_agent', 'complaint_feedback_type', 'complaint_sub_type']) }}
