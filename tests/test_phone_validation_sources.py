"""Phone validation over a file, a segment and the endpoint export; attributes through the contacts interface; the
Lambda entry (issue 11 item 3; reference spec §4)."""

from __future__ import annotations

import boto3
import duckdb
import pytest

from englake.errors import InputError
from englake.settings import Settings
from englake.storage import LocalStore
from handlers.phone_validation import LakePhoneCache, MemoryPhoneCache, validate_numbers
from handlers.phone_validation import handler as validation_handler
from handlers.phone_validation.attributes import write_attributes
from handlers.phone_validation.sources import numbers_from_export, numbers_from_segment, numbers_from_text
from handlers.sms.contacts import PinpointContacts
from segmentation.catalog import write_export
from tests.email_ops_support import LambdaContext
from tests.fakes.pinpoint import PinpointFake
from tests.fakes.pinpoint_phone import PhoneValidateFake

APP = "app-1"
ENDPOINTS = [
    {"Id": "e-mobile", "ChannelType": "SMS", "Address": "(206) 555-0142"},
    {"Id": "e-landline", "ChannelType": "VOICE", "Address": "+14085550101"},
    {"Id": "e-bad", "ChannelType": "SMS", "Address": "12"},
    {"Id": "e-mail", "ChannelType": "EMAIL", "Address": "x@example.com"},
]


@pytest.fixture
def phone() -> PhoneValidateFake:
    fake = PhoneValidateFake(rate=None)
    fake.set_number("+12065550142", "MOBILE", "ExampleCorp Mobile")
    fake.set_number("+14085550101", "LANDLINE", "ExampleCorp Landline")
    return fake


@pytest.fixture
def lake(tmp_path) -> LocalStore:
    store = LocalStore(tmp_path / "lake")
    write_export(store, APP, ENDPOINTS)
    return store


def test_numbers_from_a_csv_or_a_plain_list() -> None:
    csv_text = '\ufeffname,Phone\r\n"Doe, Jane",+12065550142\r\nBob,\r\n'
    assert list(numbers_from_text(csv_text, "f.csv")) == ["+12065550142"]
    assert list(numbers_from_text("+12065550142\n\n(408) 555-0101\n", "f.txt")) == ["+12065550142", "(408) 555-0101"]
    with pytest.raises(InputError, match="no phone column"):
        list(numbers_from_text("a,b\n1,2\n", "f.csv"))
    with pytest.raises(InputError, match="empty"):
        list(numbers_from_text("", "f.csv"))


def test_numbers_from_the_endpoint_export_are_the_sms_and_voice_addresses(lake) -> None:
    assert numbers_from_export(lake, APP) == ["(206) 555-0142", "+14085550101", "12"]
    with pytest.raises(InputError, match="no endpoint export"):
        numbers_from_export(lake, "other-app")


def test_numbers_from_a_segment(tmp_path) -> None:
    settings = Settings(lake_root=str(tmp_path))
    with duckdb.connect(str(settings.resolved_duckdb_path)) as db:
        db.execute(
            "create table segment_membership as "
            "select * from (values ('e1', 'vip'), ('e2', 'other')) t(endpoint_id, segment_name)"
        )
        db.execute(
            "create table dim_endpoints as select * from (values ('e1', 'SMS', '+12065550142'), "
            "('e2', 'SMS', '+14085550101')) t(endpoint_id, channel_type, address)"
        )
    assert numbers_from_segment(settings, "vip") == ["+12065550142"]
    assert numbers_from_segment(settings, "x' or '1'='1") == []


def test_reference_defect_address_overwritten_and_landlines_unmarked(lake, phone) -> None:
    """§4: update_endpoint overwrote Address with the cleansed number, and INVALID/LANDLINE changed nothing.
    Here the address stays as written, and every endpoint gets PNV_* attributes including PNV_SmsCapable."""
    pinpoint = PinpointFake(enforce_quotas=False)
    pinpoint.add_app(APP)
    for endpoint in ENDPOINTS:
        pinpoint.put_endpoint(APP, dict(endpoint))
    client = pinpoint.attach(boto3.client("pinpoint", region_name="us-east-1"))
    contacts = PinpointContacts(client, APP, lake, assume_us=True)
    results = validate_numbers(
        numbers_from_export(lake, APP),
        client=phone.attach(boto3.client("pinpoint", region_name="us-east-1")),
        cache=MemoryPhoneCache(),
        assume_us=True,
    )
    assert write_attributes(results.values(), contacts) == 2
    mobile = pinpoint.endpoint(APP, "e-mobile")
    assert mobile["Address"] == "(206) 555-0142"
    assert mobile["Attributes"]["PNV_E164"] == ["+12065550142"]
    assert mobile["Attributes"]["PNV_SmsCapable"] == ["Yes"]
    landline = pinpoint.endpoint(APP, "e-landline")
    assert landline["Attributes"]["PNV_PhoneType"] == ["LANDLINE"]
    assert landline["Attributes"]["PNV_SmsCapable"] == ["No"]
    assert "Attributes" not in (pinpoint.endpoint(APP, "e-bad") or {})  # unparseable: no number to match on
    assert not results["12"].valid


def test_lambda_validates_the_export_until_its_deadline_and_resumes(lake, phone, monkeypatch) -> None:
    """§4: each run died at the 300 s timeout, and overlapping runs double-validated. The Lambda stops before its
    timeout, reports what remains, and the next run answers only that (reserved concurrency 1 in the template)."""
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(lake.path))
    monkeypatch.setenv("ENGLAKE_PINPOINT_APPLICATION_ID", APP)
    monkeypatch.setenv("ENGLAKE_SMS_ASSUME_US", "true")
    pinpoint = PinpointFake(enforce_quotas=False)
    pinpoint.add_app(APP)
    for endpoint in ENDPOINTS:
        pinpoint.put_endpoint(APP, dict(endpoint))

    def client(service: str, region=None, *args, **kwargs):
        made = boto3.client(service, region_name="us-east-1")
        if service == "pinpoint":
            pinpoint.attach(made)
            phone.attach(made)
        return made

    monkeypatch.setattr(validation_handler, "aws_client", client)
    monkeypatch.setattr("handlers.sms.config.aws_client", client)

    class ShortContext(LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 0  # already at the reserve: no call starts

    first = validation_handler.lambda_handler({}, ShortContext())
    assert first["remaining"] == 2  # the unparseable one is answered locally; two numbers wait
    assert phone.validated == []
    second = validation_handler.lambda_handler({}, LambdaContext())
    assert second["remaining"] == 0
    assert second["contacts_written"] == 2
    assert sorted(phone.validated) == ["+12065550142", "+14085550101"]
    third = validation_handler.lambda_handler({}, LambdaContext())
    assert len(phone.validated) == 2  # answered from the lake cache
    assert third["answered"] == 3


def test_lambda_validates_the_numbers_of_an_uploaded_file(lake, phone, monkeypatch) -> None:
    """``{"s3_uri": "s3://bucket/key"}``: the numbers of that object (a CSV with a phone column), not the export."""
    from moto import mock_aws

    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(lake.path))
    monkeypatch.delenv("ENGLAKE_PINPOINT_APPLICATION_ID", raising=False)
    with mock_aws():

        def client(service: str, region=None, *args, **kwargs):
            made = boto3.client(service, region_name="us-east-1")
            return phone.attach(made) if service == "pinpoint" else made

        monkeypatch.setattr(validation_handler, "aws_client", client)
        monkeypatch.setattr("handlers.sms.config.aws_client", client)
        client("s3").create_bucket(Bucket="uploads")
        client("s3").put_object(Bucket="uploads", Key="in/march/list.csv", Body=b"name,phone\nJane,+12065550142\n")
        summary = validation_handler.lambda_handler({"s3_uri": "s3://uploads/in/march/list.csv"}, LambdaContext())
    assert phone.validated == ["+12065550142"]
    assert (summary["numbers"], summary["answered"], summary["remaining"]) == (1, 1, 0)


def test_reference_defect_unpaginated_listing_and_leftover_copies(phone) -> None:
    """§4 / X8, X9: ListObjectsV2 read one page (1,000 keys) and every export was copied decompressed next to itself.
    Here an export of 1,001 objects in S3 is read whole, and a run adds only its validation results."""
    import gzip
    import json

    from moto import mock_aws

    from englake.storage import S3Store

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        for n in range(1001):
            line = json.dumps({"Id": f"e{n}", "ChannelType": "SMS", "Address": f"+1206555{n % 10000:04d}"})
            s3.put_object(
                Bucket="lake", Key=f"endpoints/{APP}/20261101/part-{n:05d}.gz", Body=gzip.compress(line.encode())
            )
        store = S3Store("s3://lake", s3)
        numbers = numbers_from_export(store, APP)
        assert len(numbers) == 1001
        validate_numbers(
            numbers[:5],
            client=phone.attach(boto3.client("pinpoint", region_name="us-east-1")),
            cache=LakePhoneCache(store),
        )
        keys = [item.key for item in store.list("")]
        assert len(keys) == 1002
        added = [k for k in keys if not k.startswith("endpoints/")]
        assert len(added) == 1
        assert added[0].startswith("phone_numbers/validations/")
