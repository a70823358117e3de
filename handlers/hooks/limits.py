"""The AWS limits the hooks depend on, each with the page that documents it."""

from __future__ import annotations

LAMBDA_QUOTAS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
PINPOINT_HOOK_URL = "https://docs.aws.amazon.com/pinpoint/latest/developerguide/segments-dynamic.html"
PINPOINT_CUSTOM_CHANNEL_URL = "https://docs.aws.amazon.com/pinpoint/latest/developerguide/channels-custom.html"
CONNECT_QUOTAS_URL = "https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html"
CONNECT_OUTBOUND_URL = "https://docs.aws.amazon.com/connect/latest/APIReference/API_StartOutboundVoiceContact.html"
SQS_QUOTAS_URL = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"

#: A synchronous invocation's response payload: 6 MB (LAMBDA_QUOTAS_URL, "Invocation payload").
LAMBDA_SYNC_RESPONSE_MAX_BYTES = 6 * 1024 * 1024

#: Pinpoint sends at most 50 endpoints per hook or custom-channel invocation (PINPOINT_HOOK_URL, "Event data").
PINPOINT_MAX_ENDPOINTS_PER_INVOCATION = 50
#: Pinpoint fails the delivery when a FILTER function runs longer than 15 seconds (PINPOINT_HOOK_URL).
PINPOINT_HOOK_TIMEOUT_SECONDS = 15.0

#: StartOutboundVoiceContact is throttled at 2 requests per second with a burst of 5, per account and Region
#: (CONNECT_QUOTAS_URL, "Amazon Connect API throttling quotas"; adjustable).
CONNECT_OUTBOUND_RATE_PER_SECOND = 2.0
CONNECT_OUTBOUND_BURST = 5
#: Contact attributes: at most 32,768 UTF-8 bytes across all key-value pairs (CONNECT_OUTBOUND_URL, "Attributes").
CONNECT_ATTRIBUTES_MAX_BYTES = 32_768

#: SendMessageBatch takes at most 10 messages (SQS_QUOTAS_URL).
SQS_BATCH_MAX_MESSAGES = 10
