"""File drop → fake End User Messaging sends → its documented SMS events → Firehose landing → `englake models build`
(dbt on DuckDB, for real) → `sms_status` rows carry the file's campaign id; and phone validation results →
`dim_phone_numbers`. Issue 11 "Done when": one test goes file → fake send → events → lake → dbt → sms_status.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from englake.cli import app
from englake.models import query_local
from englake.settings import Settings
from englake.storage import LocalStore
from handlers.phone_validation import LakePhoneCache, validate_numbers
from handlers.sms.filedrop import ListQueue, S3Object, intake_object
from handlers.sms.ledger import SqliteLedger
from handlers.sms.pacing import Pacer
from handlers.sms.sender import SendOptions, identity_rates, send_rows
from ingest.landing import FirehoseLander
from ingest.layout import Producer
from segmentation.ratelimit import VirtualClock
from tests.fakes.pinpoint_phone import PhoneValidateFake
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake
from tests.sms_support import sms_client

pytestmark = pytest.mark.dbt

BUCKET = "drop"
SHORT_CODE = "12345"
FILE = (
    "destination_phone_number,message,campaign_id,origination_identity,order_ref\n"
    + "".join(f"+1425555{n:04d},Your order {n} shipped,spring-sale,{SHORT_CODE},o-{n}\n" for n in range(101, 111))
    + f"+14255550111,ding,,{SHORT_CODE},o-111\n"
    + "not-a-number,never sent,spring-sale,12345,o-x\n"
)


def test_file_drop_to_sms_status_and_validations_to_dim_phone_numbers(tmp_path) -> None:
    clock = VirtualClock(real_time=False)  # the pacer and the fake see the same instants under any load
    fake = SmsVoiceV2Fake(clock=clock.now, now_ms=lambda: int(datetime(2026, 11, 20, 9, tzinfo=UTC).timestamp() * 1000))
    fake.add_phone_number(SHORT_CODE, "SHORT_CODE")
    fake.set_outcome("+14255550103", "TEXT_CARRIER_UNREACHABLE")
    lake = LocalStore(tmp_path / "lake")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="in/spring.csv", Body=FILE.encode())
        etag = s3.head_object(Bucket=BUCKET, Key="in/spring.csv")["ETag"].strip('"')
        queue, ledger = ListQueue(), SqliteLedger(":memory:")
        result = intake_object(
            S3Object(BUCKET, "in/spring.csv", etag), s3=s3, queue=queue, ledger=ledger, report_prefix="reports/"
        )
        client = sms_client(fake)
        send_rows(
            queue.rows,
            sms_client=client,
            ledger=ledger,
            pacer=Pacer(identity_rates(client), clock=clock.now, sleep=clock.sleep),
            options=SendOptions(configuration_set="englake"),
            s3=s3,
        )
        phone = PhoneValidateFake(rate=None)
        phone.set_number("+14255550101", "MOBILE", "ExampleCorp Mobile")
        phone.set_number("+14255550102", "LANDLINE", "ExampleCorp Landline")
        validate_numbers(
            ["+14255550101", "(425) 555-0102", "garbage"],
            client=phone.attach(boto3.client("pinpoint", region_name="us-east-1")),
            cache=LakePhoneCache(lake),
            assume_us=True,
        )
    assert (result.accepted, result.rejected) == (11, 1)
    assert len(fake.sent) == 11

    # The event destination's Firehose lands the events as it would (arrival a second after each event).
    with FirehoseLander(lake) as lander:
        for event in sorted(fake.events, key=lambda e: e["eventTimestamp"]):
            arrival = datetime.fromtimestamp(event["eventTimestamp"] / 1000, UTC) + timedelta(seconds=1)
            lander.put(Producer.SMS, json.dumps(event), arrival)

    run = CliRunner().invoke(app, ["models", "build", "--lake", str(lake.root)])
    assert run.exit_code == 0, run.output
    settings = Settings(lake_root=str(lake.root))
    rows = query_local("select * from sms_status order by destination_phonenumber", settings)
    by_message = {m.message_id: m for m in fake.sent}
    assert len(rows) == 11
    for row in rows:
        sent = by_message[row["messageid"]]
        assert row["campaign_id"] == sent.params["Context"].get("campaign_id")
        assert row["destination_phonenumber"] == sent.params["DestinationPhoneNumber"]
        assert row["is_final"]
    assert sum(1 for r in rows if r["campaign_id"] == "spring-sale") == 10
    unreachable = [r for r in rows if r["destination_phonenumber"] == "+14255550103"]
    assert unreachable[0]["message_status"] == "CARRIER_UNREACHABLE"

    phones = {r["phone_key"]: r for r in query_local("select * from dim_phone_numbers", settings)}
    assert set(phones) == {"+14255550101", "+14255550102", "unparsed:garbage"}
    assert phones["+14255550101"]["is_sms_capable"]
    assert phones["+14255550102"]["phone_type"] == "LANDLINE"
    assert not phones["+14255550102"]["is_sms_capable"]
    assert phones["+14255550102"]["input"] == "(425) 555-0102"
    assert not phones["unparsed:garbage"]["is_valid"]
    assert phones["unparsed:garbage"]["invalid_reason"]
