"""Message archiver: Firehose queuer → SQS → archiver Lambda → .eml in S3 (moto), content from the Pinpoint fake."""

from __future__ import annotations

import base64
import copy
import email
import json
from datetime import UTC, datetime
from email.policy import default as default_policy

import boto3
import pytest
from moto import mock_aws

from handlers.archiver import handler, queuer
from handlers.archiver.events import address_endpoint_id, parse_requests, wants_archive
from handlers.archiver.store import ArchiveStore
from tests.email_ops_support import LambdaContext, firehose_event, fixture, sqs_event, sqs_event_from_queue
from tests.fakes.base import throttled
from tests.fakes.pinpoint_content import PinpointContentFake

BUCKET = "englake-archive"
APP = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
SEND_MS = 1562109497426  # 2019-07-02T23:18:17.426Z, the documented _campaign.send example
ENDPOINT = {
    "ChannelType": "EMAIL",
    "EndpointStatus": "ACTIVE",
    "OptOut": "NONE",
    "Attributes": {"Offer": ["Crème brûlée & <cookies>"], "Tags": ["a", "b"]},
    "User": {"UserId": "u-1", "UserAttributes": {"FirstName": ["Zoë"]}},
}
EMAIL_TEMPLATE = {
    "Subject": "Bonjour {{User.UserAttributes.FirstName}} — offre spéciale",
    "HtmlPart": "<html><body><p>Bonjour {{User.UserAttributes.FirstName}},</p>"
    "<p>{{Attributes.Offer}}</p><p>{{Attributes.Tags}}</p></body></html>",
    "TextPart": "Bonjour {{User.UserAttributes.FirstName}}, {{Attributes.Offer}}",
    "DefaultSubstitutions": json.dumps({"User.UserAttributes.FirstName": "ami"}),
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2019, 7, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def aws(monkeypatch):
    """moto S3 (versioned bucket) and SQS, the Pinpoint content fake, and the archiver wired as deployed."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="archive")["QueueUrl"]
        clock = Clock()
        fake = PinpointContentFake(clock=clock)
        monkeypatch.setenv("ENGLAKE_ARCHIVE_BUCKET", BUCKET)
        handler.dependencies.cache_clear()
        deps = handler.dependencies()
        fake.attach(deps.pinpoint)
        yield {"s3": s3, "sqs": sqs, "queue_url": queue_url, "fake": fake, "pinpoint": deps.pinpoint, "clock": clock}
        handler.dependencies.cache_clear()


def campaign_send(campaign_id: str, treatment: str = "0", endpoint: dict | None = None, **attributes) -> dict:
    event = fixture("archiver/campaign-send.json")
    event["attributes"].update(
        {"campaign_id": campaign_id, "treatment_id": treatment, "delivery_type": "EMAIL", **attributes}
    )
    event["client_context"]["custom"]["endpoint"] = json.dumps(endpoint or ENDPOINT, ensure_ascii=False)
    return event


def line(event: dict) -> bytes:
    """A Firehose record as Pinpoint writes it: one JSON event, UTF-8, newline-terminated."""
    return (json.dumps(event, ensure_ascii=False) + "\n").encode()


def create_campaign(pinpoint, template: str = "offer", **extra) -> str:
    request = {"Name": "c", "SegmentId": "s", "TemplateConfiguration": {"EmailTemplate": {"Name": template}}, **extra}
    return pinpoint.create_campaign(ApplicationId=APP, WriteCampaignRequest=request)["CampaignResponse"]["Id"]


def archive(aws, *events: dict) -> dict:
    """Queue through the real transform, then run the archiver on what the queue holds."""
    _response, result = queuer.transform(firehose_event([line(e) for e in events]), aws["sqs"], aws["queue_url"])
    assert not result.failed
    return handler.lambda_handler(sqs_event_from_queue(aws["sqs"], aws["queue_url"]), LambdaContext())


def stored(aws, key: str) -> email.message.EmailMessage:
    body = aws["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return email.message_from_bytes(body, policy=default_policy)


def only_key(aws) -> str:
    [obj] = aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]
    return obj["Key"]


# -- the queuer never corrupts the stream -------------------------------------------------------------------------


def test_the_queuer_returns_every_record_unchanged_and_queues_only_sent_messages(aws):
    sends = [
        campaign_send("c1"),
        fixture("archiver/journey-send.json"),
        campaign_send("c2", campaign_send_status="QUIET_TIME"),  # not sent: not archived
        fixture("ses/event-send.json"),
        {"event_type": "_email.open", "event_timestamp": SEND_MS},
    ]
    payloads = [line(e) for e in sends] + [b"not json\n", b"\xff\xfe binary \n"]
    event = firehose_event(payloads)
    response, result = queuer.transform(event, aws["sqs"], aws["queue_url"])
    assert [r["recordId"] for r in response["records"]] == [r["recordId"] for r in event["records"]]
    assert {r["result"] for r in response["records"]} == {"Ok"}
    # byte for byte: non-ASCII kept, trailing newline kept (the reference decoded as ASCII and dropped the newline)
    assert [base64.b64decode(r["data"]) for r in response["records"]] == payloads
    assert result.queued == 3
    bodies = [
        m["Body"] for m in aws["sqs"].receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10)["Messages"]
    ]
    assert len(bodies) == 3
    assert any("Crème brûlée" in b for b in bodies)


def test_the_queuer_batches_ten_per_call(aws):
    calls = []
    aws["sqs"].meta.events.register(
        "provide-client-params.sqs.SendMessageBatch", lambda params, **_: calls.append(len(params["Entries"]))
    )
    events = [campaign_send(f"c{i}") for i in range(25)]
    _, result = queuer.transform(firehose_event([line(e) for e in events]), aws["sqs"], aws["queue_url"])
    assert calls == [10, 10, 5]
    assert result.queued == 25


class _FailingSqs:
    def __init__(self) -> None:
        self.calls = 0

    def send_message_batch(self, QueueUrl, Entries):
        self.calls += 1
        return {
            "Successful": [],
            "Failed": [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e in Entries],
        }


def test_a_queue_outage_never_fails_the_stream_but_is_reported(monkeypatch):
    monkeypatch.setattr(queuer.time, "sleep", lambda _s: None)
    sqs = _FailingSqs()
    event = firehose_event([line(campaign_send("c1"))])
    response, result = queuer.transform(event, sqs, "https://queue")
    assert response["records"][0]["result"] == "Ok"
    assert base64.b64decode(response["records"][0]["data"]) == base64.b64decode(event["records"][0]["data"])
    assert result.failed == ["record-0"]
    assert sqs.calls == queuer.SEND_ATTEMPTS


# -- archiving a campaign send ------------------------------------------------------------------------------------


def test_a_campaign_send_with_non_ascii_content_is_a_proper_mime_message(aws):
    aws["pinpoint"].create_email_template(TemplateName="offer", EmailTemplateRequest=EMAIL_TEMPLATE)
    campaign = create_campaign(aws["pinpoint"])
    assert archive(aws, campaign_send(campaign)) == {"batchItemFailures": []}
    key = only_key(aws)
    [request] = parse_requests(campaign_send(campaign))
    assert key == f"archive/d8dcf7c5-e81a-48ae-8313-f540cexample/2019/07/02/23/{request.message_id}.eml"
    message = stored(aws, key)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Bonjour Zoë — offre spéciale"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert text.get_content().strip() == "Bonjour Zoë, Crème brûlée & <cookies>"  # not escaped in text
    assert "<p>Crème brûlée &amp; &lt;cookies&gt;</p>" in html.get_content()  # escaped in HTML only
    assert "<p>a,b</p>" in html.get_content()  # list attributes render as Handlebars renders an array
    assert message["X-Englake-Endpoint-Id"] == "d8dcf7c5-e81a-48ae-8313-f540cexample"
    assert message["X-Englake-Campaign-Id"] == campaign
    assert message["X-Englake-Content"] == "template:offer:1"
    assert message["Date"] == "Tue, 02 Jul 2019 23:18:17 +0000"
    raw = aws["s3"].get_object(Bucket=BUCKET, Key=key)
    assert raw["ContentType"] == "message/rfc822"
    assert raw["Body"].read().isascii()  # 7-bit clean: RFC 2047 headers, quoted-printable bodies


def test_reprocessing_the_same_event_overwrites_rather_than_duplicates(aws):
    aws["pinpoint"].create_email_template(TemplateName="offer", EmailTemplateRequest=EMAIL_TEMPLATE)
    campaign = create_campaign(aws["pinpoint"])
    archive(aws, campaign_send(campaign))
    archive(aws, campaign_send(campaign), campaign_send(campaign))
    keys = [o["Key"] for o in aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1


def test_default_substitutions_with_dotted_keys_apply(aws):
    aws["pinpoint"].create_email_template(TemplateName="offer", EmailTemplateRequest=EMAIL_TEMPLATE)
    campaign = create_campaign(aws["pinpoint"])
    archive(aws, campaign_send(campaign, endpoint={"ChannelType": "EMAIL", "Attributes": {}, "User": {}}))
    assert stored(aws, only_key(aws))["Subject"] == "Bonjour ami — offre spéciale"


def test_the_ab_treatment_is_the_one_the_event_names(aws):
    """The reference used AdditionalTreatments.find(x => x.Id): always the first additional treatment."""
    for name, subject in (("main", "Main"), ("first", "First"), ("second", "Second")):
        aws["pinpoint"].create_email_template(
            TemplateName=name, EmailTemplateRequest={"Subject": subject, "TextPart": name}
        )
    campaign = create_campaign(
        aws["pinpoint"],
        template="main",
        AdditionalTreatments=[
            {"SizePercent": 30, "TemplateConfiguration": {"EmailTemplate": {"Name": "first"}}},
            {"SizePercent": 30, "TemplateConfiguration": {"EmailTemplate": {"Name": "second"}}},
        ],
    )
    archive(aws, campaign_send(campaign, treatment="2"))
    message = stored(aws, only_key(aws))
    assert message["Subject"] == "Second"
    assert message["X-Englake-Treatment-Id"] == "2"


def test_content_is_fetched_as_it_was_at_send_time(aws):
    """The reference read the latest campaign and the latest template at archive time."""
    pinpoint, fake, clock = aws["pinpoint"], aws["fake"], aws["clock"]
    pinpoint.create_email_template(TemplateName="v", EmailTemplateRequest={"Subject": "version one", "TextPart": "1"})
    pinpoint.update_email_template(
        TemplateName="v", CreateNewVersion=True, EmailTemplateRequest={"Subject": "version two", "TextPart": "2"}
    )
    pinpoint.create_email_template(
        TemplateName="later", EmailTemplateRequest={"Subject": "changed later", "TextPart": "x"}
    )
    campaign = create_campaign(pinpoint, template="v")
    pinpoint.update_campaign(  # version 2 of the campaign pins template version 1, before the send
        ApplicationId=APP,
        CampaignId=campaign,
        WriteCampaignRequest={"TemplateConfiguration": {"EmailTemplate": {"Name": "v", "Version": "1"}}},
    )
    clock.now = datetime(2019, 7, 3, tzinfo=UTC)  # after the send (2019-07-02T23:18Z)
    pinpoint.update_campaign(
        ApplicationId=APP,
        CampaignId=campaign,
        WriteCampaignRequest={"TemplateConfiguration": {"EmailTemplate": {"Name": "later"}}},
    )
    archive(aws, campaign_send(campaign))
    message = stored(aws, only_key(aws))
    assert message["Subject"] == "version one"
    assert message["X-Englake-Campaign-Version"] == "2"
    assert message["X-Englake-Content"] == "template:v:1"
    assert fake.call_counts()["GetCampaignVersion"] == 1


def test_a_journey_activity_with_extra_keys_is_archived(aws):
    pinpoint = aws["pinpoint"]
    pinpoint.create_email_template(
        TemplateName="welcome",
        EmailTemplateRequest={"Subject": "Welcome", "HtmlPart": "<p>Hi {{Demographic.Timezone}}</p>"},
    )
    journey = pinpoint.create_journey(
        ApplicationId=APP,
        WriteJourneyRequest={
            "Name": "j",
            "StartActivity": "0yKexample",
            "Activities": {
                "0yKexample": {
                    "Description": "the welcome mail",  # broke the reference's Object.keys(activity)[0]
                    "EMAIL": {
                        "TemplateName": "welcome",
                        "TemplateVersion": "1",
                        "MessageConfig": {"FromAddress": "hi@example.org"},
                    },
                }
            },
        },
    )["JourneyResponse"]["Id"]
    event = fixture("archiver/journey-send.json")
    event["attributes"]["journey_id"] = journey
    assert archive(aws, event) == {"batchItemFailures": []}
    message = stored(aws, only_key(aws))
    assert message.get_content_type() == "text/html"  # an HTML-only template is not labelled text/plain
    assert message["From"] == "hi@example.org"
    assert "Hi America/Los_Angeles" in message.get_content()
    assert only_key(aws).startswith("archive/d8dcf7c5-e81a-48ae-8313-f540cexample/2019/11/05/21/")


def test_an_sms_campaign_is_archived_as_text(aws):
    campaign = aws["pinpoint"].create_campaign(
        ApplicationId=APP,
        WriteCampaignRequest={
            "Name": "sms",
            "SegmentId": "s",
            "MessageConfiguration": {"SMSMessage": {"Body": "Code {{Attributes.Offer}} – ok"}},
        },
    )["CampaignResponse"]["Id"]
    archive(aws, campaign_send(campaign, delivery_type="SMS"))
    message = stored(aws, only_key(aws))
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Code Crème brûlée & <cookies> – ok"


def test_a_throttled_fetch_fails_the_message_instead_of_deleting_it(aws):
    """The reference returned [] on any error, reported success, and SQS deleted the message."""
    aws["pinpoint"].create_email_template(TemplateName="offer", EmailTemplateRequest=EMAIL_TEMPLATE)
    campaign = create_campaign(aws["pinpoint"])
    aws["fake"].inject_fault("GetCampaign", lambda _params: throttled())
    single = boto3.client(
        "pinpoint", region_name="us-east-1", config=boto3.session.Config(retries={"total_max_attempts": 1})
    )
    aws["fake"].attach(single)
    handler.dependencies().pinpoint = single
    event = sqs_event(
        [json.dumps(campaign_send(campaign)), json.dumps(fixture("ses/event-send.json"))], ids=["throttled", "ses"]
    )
    assert handler.lambda_handler(event, LambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "throttled"}]}
    keys = [o["Key"] for o in aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1
    assert keys[0].startswith("archive/ses-")


def test_a_poison_message_fails_only_itself(aws):
    aws["pinpoint"].create_email_template(TemplateName="offer", EmailTemplateRequest=EMAIL_TEMPLATE)
    campaign = create_campaign(aws["pinpoint"])
    no_campaign = campaign_send(campaign)
    del no_campaign["attributes"]["campaign_id"]
    unknown_treatment = campaign_send(campaign, treatment="4")
    bodies = [json.dumps(campaign_send(campaign)), "{", json.dumps(no_campaign), json.dumps(unknown_treatment)]
    response = handler.lambda_handler(
        sqs_event(bodies, ["good", "not-json", "no-campaign", "no-treatment"]), LambdaContext()
    )
    assert response == {
        "batchItemFailures": [{"itemIdentifier": i} for i in ("not-json", "no-campaign", "no-treatment")]
    }
    assert len(aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]) == 1


def test_ses_send_events_archive_headers_per_recipient(aws):
    event = fixture("ses/event-send.json")
    event["mail"]["destination"] = ["recipient@example.com", "Other <other@example.com>"]
    archive(aws, event)
    keys = sorted(o["Key"] for o in aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted(
        f"archive/{address_endpoint_id(a)}/2016/10/14/05/EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000.eml"
        for a in ("recipient@example.com", "other@example.com")
    )
    message = stored(aws, keys[0])
    assert message["Subject"] == "Message sent from Amazon SES"
    assert "only the headers were archived" in message.get_content()


def test_ses_send_with_an_endpoint_tag_uses_it(aws):
    event = fixture("ses/event-send.json")
    event["mail"]["tags"]["endpoint_id"] = ["customer-42"]
    [request] = parse_requests(event)
    assert request.endpoint_id == "customer-42"


def test_wants_archive_only_for_successful_sends():
    assert wants_archive(campaign_send("c"))
    assert not wants_archive(campaign_send("c", campaign_send_status="HOLDOUT"))
    journey = fixture("archiver/journey-send.json")
    assert wants_archive(journey)
    journey["attributes"]["journey_send_status"] = "DAILY_CAP"
    assert not wants_archive(journey)
    assert wants_archive(fixture("ses/event-send.json"))
    assert not wants_archive(fixture("ses/event-delivery.json"))


# -- list and erase -----------------------------------------------------------------------------------------------


def test_erase_deletes_every_version_and_delete_marker_of_one_endpoint(aws):
    s3 = aws["s3"]
    store = ArchiveStore(s3, BUCKET)
    store.put("archive/abc/2019/07/02/23/m1.eml", b"v1")
    store.put("archive/abc/2019/07/02/23/m1.eml", b"v2")  # re-archived: a second version
    store.put("archive/abc/2019/07/03/01/m2.eml", b"x")
    s3.delete_object(Bucket=BUCKET, Key="archive/abc/2019/07/03/01/m2.eml")  # a delete marker over it
    store.put("archive/abc-2/2019/07/02/23/m3.eml", b"other endpoint")
    assert [o.key for o in store.list("abc")] == ["archive/abc/2019/07/02/23/m1.eml"]
    report = store.erase("abc")
    assert (report.messages, report.versions, report.delete_markers, report.deleted) == (2, 3, 1, 4)
    left = s3.list_object_versions(Bucket=BUCKET, Prefix="archive/abc/")
    assert not left.get("Versions")
    assert not left.get("DeleteMarkers")
    assert [o.key for o in store.list("abc-2")] == ["archive/abc-2/2019/07/02/23/m3.eml"]
    assert store.erase("abc").deleted == 0


def test_erase_in_an_unversioned_bucket(aws):
    s3 = aws["s3"]
    s3.create_bucket(Bucket="plain")
    store = ArchiveStore(s3, "plain")
    store.put("archive/e1/2019/07/02/23/m1.eml", b"x")
    assert store.erase("e1").versions == 1
    assert "Contents" not in s3.list_objects_v2(Bucket="plain")


def test_endpoint_ids_with_slashes_cannot_reach_other_prefixes(aws):
    event = campaign_send("c")
    event["client"]["client_id"] = "team/alice"
    [request] = parse_requests(copy.deepcopy(event))
    assert request.key().startswith("archive/team%2Falice/2019/")


def test_the_queuer_lambda_entry_point(aws, monkeypatch):
    monkeypatch.setenv("ENGLAKE_ARCHIVE_QUEUE_URL", aws["queue_url"])
    queuer._sqs.cache_clear()
    try:
        event = firehose_event([line(campaign_send("c1")), b'{"event_type": "_session.stop"}\n'])
        response = queuer.lambda_handler(event, LambdaContext())
    finally:
        queuer._sqs.cache_clear()
    assert [r["data"] for r in response["records"]] == [r["data"] for r in event["records"]]
    attributes = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["queue_url"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
