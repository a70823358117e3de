{#-
  One offer per endpoint, for the campaign hooks' lookup-table provider (ENGLAKE_HOOKS_LOOKUP_RELATION): every
  column but endpoint_id becomes an endpoint attribute at send time ({{Attributes.offer}}). Endpoints in no segment
  with an offer have no row and get the hook's fallback.
-#}
with ranked as (
    select
        membership.endpoint_id,
        offers.offer,
        offers.offer_code,
        row_number() over (
            partition by membership.endpoint_id order by offers.priority, offers.offer_code
        ) as offer_rank
    from {{ ref('segment_membership') }} as membership
    inner join {{ ref('offers') }} as offers
        on offers.segment_name = membership.segment_name
)

select
    endpoint_id,
    offer,
    offer_code
from ranked
where offer_rank = 1
