{{ config(severity='warn') }}
{#-
  Every raw event type should be in the event_types seed. A new AWS event type is kept (event_type 'unknown',
  in fct_events but in no per-type view) and this warning names it, instead of it vanishing into NULLs.
-#}
select producer, raw_event_type, count(*) as events
from {{ ref('fct_events') }}
where event_type = 'unknown'
group by producer, raw_event_type
