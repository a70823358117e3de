"""Campaign creation from a segment and a template (Pinpoint or Connect outbound campaigns), followed to its end."""
