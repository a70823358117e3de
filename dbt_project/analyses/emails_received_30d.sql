{#-
  The reference README's second example ("Find all emails received by an email address in the last 30 days and
  check to see if it was opened"), as a dbt analysis. One row per email (the verbatim reference query repeats a
  send once per open, because it left-joins every open). Set the address with --vars '{address: …}'.
-#}
select
    a.event_timestamp as when_sent,
    a.subject as email_subject,
    case when exists (select 1 from {{ ref('email_open') }} as b where b.message_id = a.message_id) then 1 else 0 end as did_open,
    a.message_id
from {{ ref('email_send') }} as a
where {{ englake.array_contains('a.destination', englake.string_literal(var('address', 'recipient@example.com'))) }}
    and a.ingest_timestamp > {{ dbt.dateadd('day', -30, dbt.current_timestamp()) }}
order by a.event_timestamp desc
