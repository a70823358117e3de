"""Event-driven endpoint attributes (opened_email, webinar_registration, …) from the event streams."""
