{#-
  Registrants of webinar englake__segment_webinar_id who opened its invitation: an email of one of
  englake__webinar_invitation_campaign_ids when that list is set, else an email whose subject mentions webinars
  (englake__webinar_invitation_subject, a case-insensitive LIKE pattern). Registrations are the app's custom
  `webinar_registration` events (attribute webinar_id), recorded on the user's EMAIL endpoint.
-#}
{{ config(meta={'segment_name': 'webinar_registrants_opened_invite'}) }}
{%- set campaigns = var('englake__webinar_invitation_campaign_ids', []) %}
{%- if campaigns is string %}{%- set campaigns = [campaigns] %}{%- endif %}

with registered as (
    select distinct endpoint_id
    from {{ ref('app_event') }}
    where event_name = 'webinar_registration'
        and {{ englake.map_value('event_attributes', 'webinar_id') }} = {{ englake.string_literal(var("englake__segment_webinar_id", "webinar5")) }}
),

opened_invitation as (
    select distinct engaged_endpoint_id as endpoint_id
    from {{ ref('int_email_engagement_by_endpoint') }}
    where event_type = 'email_open'
    {%- if campaigns %}
        and campaign_id in ({% for c in campaigns %}{{ englake.string_literal(c) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- else %}
        and lower(subject) like {{ englake.string_literal(var("englake__webinar_invitation_subject", "%webinar%") | lower) }}
    {%- endif %}
)

select registered.endpoint_id
from registered
inner join opened_invitation on registered.endpoint_id = opened_invitation.endpoint_id
