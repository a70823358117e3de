{#-
  One row per WhatsApp conversation (Meta's conversation id on status webhooks): the messages in it, its first and
  last status time, its origin type (utility, marketing, service, …) and the business and customer numbers.
-#}
select
    conversation_id,
    max(conversation_type) as conversation_type,
    max(origination_number) as origination_phonenumber,
    max(destination_phone_number) as destination_phonenumber,
    count(distinct message_id) as messages,
    min(event_at) as first_event_timestamp,
    max(event_at) as last_event_timestamp,
    max(ingested_at) as last_ingested_at
from {{ ref('fct_events') }}
where channel = 'whatsapp' and conversation_id is not null
group by conversation_id
