"""The fake base answers below the boto3 client: real serialization, real parsing, real retries."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.fakes.base import RestJsonFake, not_found, throttled


class _TinyPinpoint(RestJsonFake):
    service_name = "pinpoint"

    def __init__(self) -> None:
        super().__init__()
        self.endpoints: dict[str, dict] = {}

    def UpdateEndpointsBatch(self, ApplicationId: str, EndpointBatchRequest: dict) -> dict:
        for item in EndpointBatchRequest["Item"]:
            self.endpoints[item["Id"]] = item
        return {"MessageBody": {"Message": "Accepted", "RequestID": "r-1"}}

    def GetEndpoint(self, ApplicationId: str, EndpointId: str) -> dict:
        if EndpointId not in self.endpoints:
            raise not_found(f"Resource not found {EndpointId}")
        return {"EndpointResponse": {"Id": EndpointId, **self.endpoints[EndpointId]}}


def _client(fake: RestJsonFake, attempts: int = 3):
    return fake.attach(boto3.client("pinpoint", config=Config(retries={"mode": "standard", "max_attempts": attempts})))


def test_params_round_trip_through_real_serialization() -> None:
    fake = _TinyPinpoint()
    client = _client(fake)
    response = client.update_endpoints_batch(
        ApplicationId="app-1",
        EndpointBatchRequest={"Item": [{"Id": "id with/slash", "Attributes": {"AdvancedSegmentTarget": ["é"]}}]},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202  # Pinpoint's documented "accepted"
    assert response["MessageBody"]["Message"] == "Accepted"
    got = client.get_endpoint(ApplicationId="app-1", EndpointId="id with/slash")["EndpointResponse"]
    assert got["Attributes"] == {"AdvancedSegmentTarget": ["é"]}
    assert fake.calls[0].params["ApplicationId"] == "app-1"


def test_service_errors_raise_the_modelled_exception() -> None:
    client = _client(_TinyPinpoint())
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_endpoint(ApplicationId="a", EndpointId="missing")


def test_throttling_is_retried_by_botocore() -> None:
    fake = _TinyPinpoint()
    failures = iter([throttled(), throttled()])
    fake.inject_fault("UpdateEndpointsBatch", lambda _params: next(failures, None))
    client = _client(fake, attempts=3)
    response = client.update_endpoints_batch(ApplicationId="a", EndpointBatchRequest={"Item": [{"Id": "e"}]})
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert fake.call_counts()["UpdateEndpointsBatch"] == 3


def test_throttling_beyond_retries_surfaces() -> None:
    fake = _TinyPinpoint()
    fake.inject_fault("UpdateEndpointsBatch", lambda _params: throttled())
    client = _client(fake, attempts=2)
    with pytest.raises(ClientError) as raised:
        client.update_endpoints_batch(ApplicationId="a", EndpointBatchRequest={"Item": [{"Id": "e"}]})
    assert raised.value.response["Error"]["Code"] == "TooManyRequestsException"


class _TinyTemplates(RestJsonFake):
    service_name = "pinpoint"

    def GetEmailTemplate(self, TemplateName: str, **_: object) -> dict:
        return {"EmailTemplateResponse": {"TemplateName": TemplateName, "Subject": "Hi", "TemplateType": "EMAIL"}}


def test_fakes_compose_and_unanswered_operations_fail_loudly() -> None:
    endpoints, templates = _TinyPinpoint(), _TinyTemplates()
    client = templates.attach(_client(endpoints))
    client.update_endpoints_batch(ApplicationId="a", EndpointBatchRequest={"Item": [{"Id": "e"}]})
    assert client.get_email_template(TemplateName="welcome")["EmailTemplateResponse"]["Subject"] == "Hi"
    assert endpoints.call_counts() == {"UpdateEndpointsBatch": 1}
    assert templates.call_counts() == {"GetEmailTemplate": 1}
    with pytest.raises(ClientError) as raised:
        client.get_sms_template(TemplateName="nope")
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert "GetSmsTemplate" in str(raised.value)


class _Suppressions(RestJsonFake):
    service_name = "sesv2"

    def __init__(self) -> None:
        super().__init__()
        self.addresses: dict[str, str] = {}

    def PutSuppressedDestination(self, EmailAddress: str, Reason: str) -> dict:
        self.addresses[EmailAddress] = Reason
        return {}


def test_fakes_compose_with_moto_under_mock_aws() -> None:
    """A fake answers its operations (moto never runs them); moto still answers the ones only it implements."""
    from moto import mock_aws

    with mock_aws():
        fake = _Suppressions()
        client = fake.attach(boto3.client("sesv2", region_name="us-east-1"))
        client.put_suppressed_destination(EmailAddress="a@example.com", Reason="BOUNCE")
        assert fake.addresses == {"a@example.com": "BOUNCE"}
        boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress="me@example.com")
        sent = client.send_email(
            FromEmailAddress="me@example.com",
            Destination={"ToAddresses": ["you@example.com"]},
            Content={"Simple": {"Subject": {"Data": "hi"}, "Body": {"Text": {"Data": "hello"}}}},
        )
        assert sent["MessageId"]  # answered by moto
        with pytest.raises(ClientError) as raised:
            client.get_suppressed_destination(EmailAddress="a@example.com")  # neither fake nor moto
        assert raised.value.response["Error"]["Code"] == "NotImplemented"
