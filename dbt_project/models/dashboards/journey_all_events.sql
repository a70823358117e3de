{#-
  The events dashboard's journey view (`journey_all_events`): Pinpoint `_journey.*` events. The reference's
  `custom` column was `typeof(...)`, a constant type name, and is left out.
-#}
{{ englake.dashboard_view('journey', [
    'journey_run_id',
    'journey_send_status',
    'journey_id',
    'journey_activity_id',
    'user_id',
], campaign_columns=false) }}
