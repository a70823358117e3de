{#-
  The events dashboard's catch-all view (`custom_all_events`): app events — sessions, sign-in, purchases and the
  app's own custom events (the reference's "not email, SMS, campaign, journey or test").
-#}
{{ englake.dashboard_view('app', [
    'session_id',
    'session_started_at as session_start_time',
    'session_stopped_at as session_stop_time',
], campaign_columns=false) }}
