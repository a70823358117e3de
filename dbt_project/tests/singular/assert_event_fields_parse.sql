{{ config(severity='warn') }}
{#-
  Events whose numbers or times did not parse (or fit no timestamp) are kept with invalid_fields set and a NULL
  typed value; this warning names them so a producer's format change is seen, without stopping the build.
-#}
select producer, raw_event_type, invalid_fields, count(*) as events
from {{ ref('fct_events') }}
where invalid_fields is not null
group by producer, raw_event_type, invalid_fields
