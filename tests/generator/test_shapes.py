"""Generated records against the documented examples (event-formats.md), key for key, type for type."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.synthetic.records import NEW_FIELDS
from tests.generator.contract import (
    has,
    raw_type,
)

# --------------------------------------------------------------------------------------------------------------
# Shapes: generated records against the documented examples (event-formats.md), key for key, type for type

HEADER = [{"name": "From", "value": "sender@example.com"}]
PP_MAIL = {
    "message_id": "0200000073rnbmd1-mbvdg3uo-q8ia-m3ku-ibd3-ms77kexample-000000",
    "message_send_timestamp": 1564618621380,
    "from_address": "sender@example.com",
    "destination": ["recipient@example.com"],
    "headers_truncated": False,
    "headers": HEADER,
    "common_headers": {
        "from": "sender@example.com",
        "to": ["recipient@example.com"],
        "subject": "Amazon Pinpoint Test",
    },
}
PP_ENVELOPE = {
    "event_timestamp": 1564618621380,
    "arrival_timestamp": 1564618622690,
    "event_version": "3.1",
    "application": {"app_id": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6", "sdk": {}},
    "client": {"client_id": "e9a3000d-daa2-40dc-ac47-1cd34example"},
    "device": {"platform": {}},
    "session": {},
    "attributes": {"feedback": "delivered"},
    "awsAccountId": "123456789012",
}


def pp_email(event_type: str, obj_key: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_type": event_type,
        **PP_ENVELOPE,
        "facets": {"email_channel": {"mail_event": {"mail": PP_MAIL, obj_key: obj}}},
    }


SES_MAIL = {
    "timestamp": "2017-08-05T00:40:02.012Z",
    "source": "Sender Name <sender@example.com>",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": False,
    "headers": HEADER,
    "commonHeaders": {
        "from": ["Sender Name <sender@example.com>"],
        "to": ["recipient@example.com"],
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "subject": "Message sent from Amazon SES",
    },
    "tags": {"ses:configuration-set": ["ConfigSet"], "ses:source-ip": ["192.0.2.0"]},
}
SES_MAIL_ENGAGEMENT = {k: v for k, v in SES_MAIL.items() if k != "sourceArn"}
SES_MAIL_BARE = {
    **{k: v for k, v in SES_MAIL.items() if k not in ("headers", "commonHeaders")},
    "tags": {"ses:configuration-set": ["ConfigSet"]},
}
SES_NOTIFICATION_MAIL = {
    **{k: v for k, v in SES_MAIL.items() if k != "tags"},
    "sourceIp": "127.0.3.0",
    "callerIdentity": "IAM_user_or_role_name",
    "commonHeaders": {**SES_MAIL["commonHeaders"], "date": "Wed, 27 Jan 2016 14:05:45 +0000"},
}
PREFS = {
    "unsubscribeAll": True,
    "topicSubscriptionStatus": [{"topicName": "ExampleTopicName", "subscriptionStatus": "OptOut"}],
}
EUM_EXAMPLE = {
    "eventType": "TEXT_SUCCESSFUL",
    "eventVersion": "1.0",
    "eventTimestamp": 1686975103470,
    "isFinal": True,
    "originationPhoneNumber": "+12065550152",
    "destinationPhoneNumber": "+14255550156",
    "isInternationalSend": False,
    "mcc": "310",
    "mnc": "800",
    "messageId": "862a8790-60c0-4430-9b2b-658bdexample",
    "messageRequestTimestamp": 1686975103170,
    "messageEncoding": "GSM",
    "messageType": "PROMOTIONAL",
    "messageStatus": "SUCCESSFUL",
    "messageStatusDescription": "Message has been accepted by phone carrier",
    "context": {"account": "bar"},
    "totalMessageParts": 1,
    "totalMessagePrice": 0.09582,
    "totalCarrierFee": 0.0,
}

#: (producer, raw type, extra match, documented example, top-level keys the generator may add)
DOCUMENTED: list[tuple[str, str, dict[str, Any], dict[str, Any], set[str]]] = [
    (
        "pinpoint",
        "_email.delivered",
        {},
        pp_email(
            "_email.delivered",
            "delivery",
            {
                "smtp_response": "250 ok:  Message 82080542 accepted",
                "reporting_mta": "a8-53.smtp-out.amazonses.com",
                "recipients": ["recipient@example.com"],
                "processing_time_millis": 1310,
            },
        ),
        {"client_context"},
    ),
    ("pinpoint", "_email.send", {}, pp_email("_email.send", "send", {}), {"client_context"}),
    (
        "pinpoint",
        "_email.open",
        {},
        pp_email("_email.open", "open", {"ip_address": "72.21.198.67", "user_agent": "Mozilla/5.0"}),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.click",
        {},
        pp_email(
            "_email.click",
            "click",
            {"ip_address": "72.21.198.67", "user_agent": "Mozilla/5.0", "link": "https://aws.amazon.com/pinpoint/"},
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.hardbounce",  # no AWS example: the events-database DDL's struct
        {},
        pp_email(
            "_email.hardbounce",
            "bounce",
            {
                "bounce_type": "Permanent",
                "bounce_sub_type": "General",
                "bounced_recipients": [{"email_address": "r@example.com"}],
                "feedback_id": "x",
                "reporting_mta": "dsn; mta.example.com",
            },
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.complaint",
        {},
        pp_email(
            "_email.complaint",
            "complaint",
            {
                "complained_recipients": [{"email_address": "r@example.com"}],
                "feedback_id": "x",
                "user_agent": "x",
                "complaint_feedback_type": "abuse",
            },
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.rejected",
        {},
        pp_email("_email.rejected", "reject", {"reason": "Bad content"}),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_SMS.SUCCESS",
        {},
        {
            "event_type": "_SMS.SUCCESS",
            **PP_ENVELOPE,
            "client": {"client_id": "123456789012"},
            "attributes": {"record_status": "DELIVERED"},
            "metrics": {"price_in_millicents_usd": 645.0},
        },
        set(),
    ),
    (
        "pinpoint",
        "_campaign.send",
        {},
        {
            "event_type": "_campaign.send",
            **PP_ENVELOPE,
            "attributes": {"treatment_id": "0"},
            "client_context": {"custom": {"endpoint": '{"ChannelType":"GCM","EndpointStatus":"ACTIVE"}'}},
        },
        set(),
    ),
    (
        "pinpoint",
        "_journey.send",
        {},
        {
            "event_type": "_journey.send",
            **PP_ENVELOPE,
            "attributes": {"journey_run_id": "edc9a0b577164d1daf72ebd15example"},
            "client_context": {"custom": {"endpoint": '{"ChannelType":"EMAIL"}'}},
        },
        set(),
    ),
    (
        "pinpoint",
        "_session.stop",
        {},
        {
            "event_type": "_session.stop",
            "event_timestamp": 1487973802507,
            "arrival_timestamp": 1487973803515,
            "event_version": "3.0",
            "application": {
                "app_id": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
                "cognito_identity_pool_id": "us-east-1:a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6",
                "package_name": "main.page",
                "sdk": {"name": "aws-sdk-mobile-analytics-js", "version": "0.9.1:2.4.8"},
                "title": "title",
                "version_name": "1.0",
                "version_code": "1",
            },
            "client": {"client_id": "m3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2", "cognito_id": "us-east-1:i9j0k1l2-m3n4"},
            "device": {
                "locale": {"code": "en_US", "country": "US", "language": "en"},
                "make": "generic web browser",
                "model": "Unknown",
                "platform": {"name": "android", "version": "10.10"},
            },
            "session": {
                "session_id": "f549dea9-1090-945d-c3d1-e4967example",
                "start_timestamp": 1487973202531,
                "stop_timestamp": 1487973802507,
            },
            "attributes": {},
            "metrics": {},
        },
        set(),
    ),
    (
        "ses",
        "Bounce",
        {"eventType": "Bounce"},
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "recipient@example.com"}],
                "timestamp": "2017-08-05T00:41:02.669Z",
                "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                "reportingMTA": "dsn; mta.example.com",
            },
            "mail": SES_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Complaint",
        {"eventType": "Complaint"},
        {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "recipient@example.com"}],
                "timestamp": "2017-08-05T00:41:02.669Z",
                "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                "userAgent": "Mozilla/5.0",
                "complaintFeedbackType": "abuse",
                "arrivalDate": "2017-08-05T00:41:02.669Z",
            },
            "mail": SES_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Delivery",
        {"eventType": "Delivery"},
        {
            "eventType": "Delivery",
            "mail": SES_MAIL,
            "delivery": {
                "timestamp": "2016-10-19T23:21:04.133Z",
                "processingTimeMillis": 11893,
                "recipients": ["recipient@example.com"],
                "smtpResponse": "250 2.6.0 Message received",
                "remoteMtaIp": "123.456.789.012",
                "reportingMTA": "mta.example.com",
            },
        },
        set(),
    ),
    ("ses", "Send", {}, {"eventType": "Send", "mail": SES_MAIL, "send": {}}, set()),
    ("ses", "Reject", {}, {"eventType": "Reject", "mail": SES_MAIL, "reject": {"reason": "Bad content"}}, set()),
    (
        "ses",
        "Open",
        {},
        {
            "eventType": "Open",
            "mail": SES_MAIL_ENGAGEMENT,
            "open": {
                "ipAddress": "192.0.2.1",
                "timestamp": "2017-08-09T22:00:19.652Z",
                "userAgent": "Mozilla/5.0",
                "isBotEvent": "Unlikely",
            },
        },
        set(),
    ),
    (
        "ses",
        "Click",
        {},
        {
            "eventType": "Click",
            "click": {
                "ipAddress": "192.0.2.1",
                "link": "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html",
                "linkTags": {"samplekey0": ["samplevalue0"]},
                "timestamp": "2017-08-09T23:51:25.570Z",
                "userAgent": "Mozilla/5.0",
                "isBotEvent": "Likely",
            },
            "mail": SES_MAIL_ENGAGEMENT,
        },
        set(),
    ),
    (
        "ses",
        "Rendering Failure",
        {},
        {
            "eventType": "Rendering Failure",
            "mail": SES_MAIL_BARE,
            "failure": {
                "errorMessage": "Attribute 'attributeName' is not present in the rendering data.",
                "templateName": "MyTemplate",
            },
        },
        set(),
    ),
    (
        "ses",
        "DeliveryDelay",
        {},
        {
            "eventType": "DeliveryDelay",
            "mail": SES_MAIL_BARE,
            "deliveryDelay": {
                "timestamp": "2020-06-16T00:25:40.095Z",
                "delayType": "TransientCommunicationFailure",
                "expirationTime": "2020-06-16T00:25:40.914Z",
                "delayedRecipients": [
                    {"emailAddress": "recipient@example.com", "status": "4.4.1", "diagnosticCode": "smtp; 421 4.4.1"}
                ],
            },
        },
        set(),
    ),
    (
        "ses",
        "Subscription",
        {},
        {
            "eventType": "Subscription",
            "mail": SES_MAIL,
            "subscription": {
                "contactList": "ContactListName",
                "timestamp": "2022-01-12T01:00:17.910Z",
                "source": "UnsubscribeHeader",
                "newTopicPreferences": PREFS,
                "oldTopicPreferences": PREFS,
            },
        },
        set(),
    ),
    (
        "ses",
        "Bounce",
        {"notificationType": "Bounce"},
        {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "reportingMTA": "dns; email.example.com",
                "bouncedRecipients": [{"emailAddress": "jane@example.com"}],
                "bounceSubType": "General",
                "timestamp": "2016-01-27T14:59:38.237Z",
                "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000",
                "remoteMtaIp": "127.0.2.0",
            },
            "mail": SES_NOTIFICATION_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Delivery",
        {"notificationType": "Delivery"},
        {
            "notificationType": "Delivery",
            "mail": SES_NOTIFICATION_MAIL,
            "delivery": {
                "timestamp": "2016-01-27T14:59:38.237Z",
                "recipients": ["jane@example.com"],
                "processingTimeMillis": 546,
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
                "smtpResponse": "250 ok:  Message 64111812 accepted",
                "remoteMtaIp": "127.0.2.0",
            },
        },
        set(),
    ),
    ("sms", "TEXT_SUCCESSFUL", {}, EUM_EXAMPLE, {"isoCountryCode"}),
    (
        "sms",
        "TEXT_PROTECT_BLOCKED",
        {},
        {
            **EUM_EXAMPLE,
            "eventType": "TEXT_PROTECT_BLOCKED",
            "isoCountryCode": "US",
            "protectConfiguration": {
                "protectConfigurationId": "protect-d777777777777771bbd5d59f4d903479",
                "protectStatus": "FILTER",
            },
            "protectConfigurationAssessment": {
                "protectRecommendation": "BLOCK",
                "protectInsights": {"blockReason": "AIT_SUSPECTED"},
            },
        },
        {"isInternationalSend"},
    ),
]

#: maps whose keys vary (compare the value types only)
MAPS = {"attributes", "metrics", "tags", "linkTags", "context", "custom"}


def json_type(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", type(None): "null", list: "array", dict: "object"}[
        type(value)
    ]


def assert_shape(doc: Any, gen: Any, path: str = "") -> None:
    assert json_type(gen) == json_type(doc), f"{path}: {json_type(gen)} != {json_type(doc)}"
    if isinstance(doc, dict):
        if path.rsplit(".", 1)[-1] in MAPS:
            kinds = {json_type(v) for v in doc.values()}
            assert all(json_type(v) in kinds for v in gen.values()) or not doc, path
            if kinds == {"array"}:
                assert all(isinstance(x, str) for v in gen.values() for x in v), path
            return
        for key, value in doc.items():
            assert key in gen, f"{path}.{key} missing"
            assert_shape(value, gen[key], f"{path}.{key}")
    elif isinstance(doc, list) and doc and gen:
        for item in gen:
            assert_shape(doc[0], item, f"{path}[]")


@pytest.mark.parametrize(
    ("producer", "kind", "where", "example", "extra"),
    DOCUMENTED,
    ids=[f"{d[0]}:{d[1]}:{''.join(d[2])}" for d in DOCUMENTED],
)
def test_records_have_the_documented_shape(
    distinct: list[tuple[str, dict[str, Any]]],
    producer: str,
    kind: str,
    where: dict[str, Any],
    example: dict[str, Any],
    extra: set[str],
) -> None:
    plain = [
        obj
        for p, obj in distinct
        if p == producer
        and raw_type(p, obj) == kind
        and all(obj.get(k) == v for k, v in where.items())
        and not any(has(obj, path) for path in NEW_FIELDS[p])
    ]
    assert plain, f"no plain {producer} {kind} record"
    for obj in plain[:50]:
        assert_shape(example, obj, kind)
        assert set(obj) <= set(example) | set(extra), set(obj) - set(example)
