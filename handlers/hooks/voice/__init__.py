"""Amazon Connect as a campaign channel, through Pinpoint's ``CustomDeliveryConfiguration`` (not the deprecated
CampaignHook ``DELIVERY`` mode).

``channel.plan_calls`` (the custom-channel Lambda) keeps only the configured endpoint types with consent, no
opt-out, a valid E.164 number and a local time inside calling hours, and queues one call request per endpoint
(SQS); ``dial.dial`` (the dialer Lambda, SQS-triggered) claims each call in the ledger (DynamoDB) before it
dials, paces StartOutboundVoiceContact within Connect's quota, and records every outcome as an event in the lake
(``results``). A Pinpoint retry or an SQS redelivery finds the claim and never calls twice.
"""
