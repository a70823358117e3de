{{ englake.event_view('email_rendering_failure', ['rendering_error', 'template_name']) }}
