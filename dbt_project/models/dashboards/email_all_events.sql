{#-
  The events dashboard's email view (reference Event_dashboard.yaml, `email_all_events`): every email event of every
  producer, one row per event and recipient as in fct_events. Differences from the reference, on purpose: the
  treatment id is read from `treatment_id` (the reference's `treament_id` typo was always NULL), SES-native events
  are included, and `destination` keeps every address (the reference kept only the first).
-#}
{{ englake.dashboard_view('email', [
    'message_id',
    'message_sent_at as message_send_timestamp',
    'from_address',
    'destination',
    'subject',
    'recipient_address',
]) }}
