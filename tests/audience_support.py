"""One world for the audience, campaign and workflow tests: moto S3 (versioned drop bucket), SNS, and our fakes of
Pinpoint (endpoints and import jobs, templates and campaigns with activities, phone validation), Customer Profiles
and Connect outbound campaigns v2, each below a real boto3 client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests

from englake.aws import client as aws_client
from handlers.audiences.backends import PinpointImport, ProfilesImport
from handlers.audiences.contracts import Backend, CampaignPlan, ObjectRef, StartInput
from handlers.audiences.process import AudienceContext
from handlers.campaigns.backends import ConnectCampaigns, PinpointCampaigns
from handlers.phone_validation import MemoryPhoneCache, validate_numbers
from tests.fakes.connect_campaigns import ConnectCampaignsFake
from tests.fakes.customer_profiles import CustomerProfilesFake
from tests.fakes.pinpoint import PinpointFake
from tests.fakes.pinpoint_campaigns import PinpointCampaignsFake
from tests.fakes.pinpoint_phone import PhoneValidateFake

BUCKET = "drop-bucket"
APP = "a" * 32
DOMAIN = "englake"
INSTANCE = "11111111-2222-3333-4444-555555555555"
ROLE = "arn:aws:iam::123456789012:role/pinpoint-import"
SMS_FROM = "arn:aws:connect:us-east-1:123456789012:phone-number/abc"
SMS_TEMPLATE = "welcome-sms"
CONNECT_TEMPLATE = "arn:aws:wisdom:us-east-1:123456789012:message-template/kb/welcome"
PREFIX = "audiences/incoming/"


@dataclass
class World:
    s3: Any
    sns: Any
    pinpoint: Any
    profiles: Any
    connect: Any
    endpoints: PinpointFake
    campaigns: PinpointCampaignsFake
    phones: PhoneValidateFake
    profile_store: CustomerProfilesFake
    connect_fake: ConnectCampaignsFake
    topic_arn: str
    queue_url: str
    notes: list[dict] = field(default_factory=list)

    def drop(self, key: str, body: bytes) -> ObjectRef:
        response = self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        return ObjectRef(bucket=BUCKET, key=key, version_id=response.get("VersionId"), etag=response["ETag"].strip('"'))

    def context(self, backend: Backend, validate: bool = True, validation_client: Any = None) -> AudienceContext:
        """``validation_client``: a pinpoint client for PhoneNumberValidate other than the world's (fewer retries)."""
        importer = (
            PinpointImport(self.pinpoint, APP, ROLE)
            if backend == "pinpoint"
            else ProfilesImport(self.profiles, DOMAIN, put=_put)
        )
        validator = None
        if validate:

            def validator(numbers: list[str]) -> dict[str, Any]:
                client = validation_client or self.pinpoint
                return validate_numbers(numbers, client=client, cache=MemoryPhoneCache(), rate_per_second=None)

        return AudienceContext(s3=self.s3, backend=importer, bucket=BUCKET, validator=validator)

    def campaign_backend(self, kind: str) -> Any:
        if kind == "pinpoint":
            return PinpointCampaigns(self.pinpoint, APP)
        return ConnectCampaigns(
            self.connect, INSTANCE, profiles_client=self.profiles, domain_name=DOMAIN, source=SMS_FROM
        )

    def start(self, ref: ObjectRef, backend: Backend, campaign: str | None = None, validate: bool = True) -> StartInput:
        plan = None
        if campaign:
            template = SMS_TEMPLATE if campaign == "pinpoint" else CONNECT_TEMPLATE
            plan = CampaignPlan(backend=campaign, template=template, delay_minutes=5)  # type: ignore[arg-type]
        return StartInput(object=ref, run_id=ref.run_id(), backend=backend, validate_phones=validate, campaign=plan)

    def notifications(self) -> list[dict]:
        """Every SNS notification so far (the topic's SQS subscription), as parsed outcomes."""
        sqs = boto3.client("sqs", region_name="us-east-1")
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return self.notes
            for message in got:
                envelope = json.loads(message["Body"])
                self.notes.append(json.loads(envelope["Message"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def _put(url: str, body: bytes) -> None:
    """The upload job's HTTP PUT, through requests (moto answers presigned S3 URLs made inside mock_aws)."""
    response = requests.put(url, data=body, timeout=10)
    response.raise_for_status()


@contextmanager
def world(activity_script: list[list[dict]] | None = None, connect_states: list[str] | None = None) -> Iterator[World]:
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.create_bucket(Bucket="profiles-uploads")
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="audiences")["TopicArn"]
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="notes")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

        endpoints = PinpointFake(s3)
        endpoints.add_app(APP)
        campaigns = PinpointCampaignsFake(endpoints, activity_script)
        campaigns.CreateSmsTemplate(SMS_TEMPLATE, {"Body": "Hello {{Attributes.FirstName}}"})
        phones = PhoneValidateFake(rate=None)
        pinpoint = aws_client("pinpoint", "us-east-1")
        for fake in (endpoints, campaigns, phones):
            fake.attach(pinpoint)

        profile_store = CustomerProfilesFake(s3, upload_polls=1)
        profile_store.add_domain(DOMAIN)
        profiles = profile_store.attach(aws_client("customer-profiles", "us-east-1"))
        connect_fake = ConnectCampaignsFake(profile_store, connect_states)
        connect_fake.add_instance(INSTANCE)
        connect = connect_fake.attach(aws_client("connectcampaignsv2", "us-east-1"))
        yield World(
            s3,
            sns,
            pinpoint,
            profiles,
            connect,
            endpoints,
            campaigns,
            phones,
            profile_store,
            connect_fake,
            topic,
            queue_url,
        )
