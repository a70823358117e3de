"""Audience import and event-driven attributes against the reference's one-call-per-row approach.

    python -m benchmarks.audiences            # a 1,000,000-row audience file; 1,000,000 activity events
    python -m benchmarks.audiences --quick    # 5,000 rows and events

Import: one generated CSV (60% EMAIL, 40% SMS rows, 0.1% malformed, 0.1% duplicated ids) is parsed, validated,
staged to S3 (moto) and imported with one Pinpoint ``CreateImportJob`` that the Pinpoint fake executes (every
endpoint stored), through real boto3 clients. Phone numbers are validated once per distinct number
(``PhoneNumberValidate``, cached); that is run for real on a sample and counted for the whole file. The reference
(§3b + §4) called PhoneNumberValidate for every row, EMAIL rows included, and UpdateEndpoint per validated
endpoint.

Attributes: events of the Pinpoint event stream (opens, webinar registrations and cancellations, other events) over
100,000 endpoints go through the handler's batch logic in Kinesis-sized batches; the store counts the calls it
would make (GetEndpoint per distinct endpoint per batch, UpdateEndpointsBatch per 100 changed endpoints). A sample
runs through real boto3 clients against the Pinpoint fake and must count the same. The reference made one
UpdateEndpoint per matching event.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from benchmarks import machine
from englake.aws import client as aws_client
from handlers.audiences import process
from handlers.audiences.backends import PinpointImport
from handlers.audiences.contracts import ObjectRef, StartInput
from handlers.audiences.parse import parse_audience
from handlers.audiences.phones import normalize_only, phone_numbers
from handlers.event_attributes.events import parse_event
from handlers.event_attributes.ledger import LedgerStore
from handlers.event_attributes.process import apply_events
from handlers.event_attributes.rules import load_rules
from handlers.event_attributes.stores import PinpointAttributes
from tests.fakes.pinpoint import RATE_QUOTAS, PinpointFake
from tests.fakes.pinpoint_phone import PHONE_NUMBER_VALIDATE_RPS, PhoneValidateFake

APP = "b" * 32
BUCKET = "bench-drop"
ENDPOINTS = 100_000
#: Records per Lambda invocation of the Kinesis event source (deploy/audiences.yaml BatchSize).
KINESIS_BATCH = 1_000
NOW = datetime(2026, 11, 20, tzinfo=UTC)
#: --quick: rows and events (the samples run for real are capped at this too).
QUICK_SIZE = 5_000


def audience_file(rows: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    lines = ["Id,ChannelType,Address,FirstName,Location.Country,Plan"]
    for i in range(rows):
        roll = rng.random()
        endpoint_id = f"ep-{i - 1}" if roll < 0.001 and i else f"ep-{i}"
        if roll > 0.999:
            lines.append(f"ep-{i},FAX,nowhere,Bad,US,none")
        elif i % 5 < 2:
            lines.append(f"{endpoint_id},SMS,+1206{rng.randrange(2000000, 9999999)},N{i},US,gold")
        else:
            lines.append(f"{endpoint_id},EMAIL,user{i}@example.com,N{i},DE,silver")
    return ("\n".join(lines) + "\n").encode()


def bench_import(rows: int, sample: int) -> list[tuple[str, str, str, str]]:
    body = audience_file(rows)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        endpoints = PinpointFake(s3, enforce_quotas=False)
        endpoints.add_app(APP)
        pinpoint = endpoints.attach(aws_client("pinpoint", "us-east-1"))
        ctx = process.AudienceContext(
            s3=s3, backend=PinpointImport(pinpoint, APP, "arn:aws:iam::1:role/import"), bucket=BUCKET
        )
        s3.put_object(Bucket=BUCKET, Key="audiences/incoming/big.csv", Body=body)
        ref = ObjectRef(bucket=BUCKET, key="audiences/incoming/big.csv", etag="x")
        start = StartInput(object=ref, run_id=ref.run_id(), backend="pinpoint", validate_phones=False)
        t0 = time.perf_counter()
        parsed = parse_audience(body, ref.key)
        parse_s = time.perf_counter() - t0
        numbers = len(set(phone_numbers(parsed)))
        t0 = time.perf_counter()
        staged, status = process.run_import(start, ctx)
        import_s = time.perf_counter() - t0
        stored = len(endpoints.endpoints(APP))
        calls = endpoints.call_counts()

        # Phone validation for real on a sample, through the shared validator and the PhoneNumberValidate fake.
        from handlers.phone_validation import MemoryPhoneCache, validate_numbers

        phones = PhoneValidateFake(rate=None)
        validate_client = phones.attach(aws_client("pinpoint", "us-east-1"))
        sample_parsed = parse_audience(audience_file(sample, seed=5), "sample.csv")
        normalize_only(sample_parsed)
        sample_numbers = phone_numbers(sample_parsed)
        cache = MemoryPhoneCache()
        t0 = time.perf_counter()
        validate_numbers(sample_numbers, client=validate_client, cache=cache, rate_per_second=None)
        validate_numbers(sample_numbers, client=validate_client, cache=cache, rate_per_second=None)  # a re-drop
        sample_s = time.perf_counter() - t0
        assert len(phones.validated) == len(set(sample_numbers)), (len(phones.validated), len(set(sample_numbers)))
    assert status is not None
    assert status.state == "SUCCEEDED"
    sms_rows = sum(1 for _, e in parsed.endpoints if e["ChannelType"] == "SMS")
    ours_calls = 1 + calls["GetImportJob"]
    ref_calls = rows + sms_rows  # PhoneNumberValidate per row (all channels) + UpdateEndpoint per validated endpoint
    validate_quota_s = numbers / PHONE_NUMBER_VALIDATE_RPS
    ref_quota_s = rows / PHONE_NUMBER_VALIDATE_RPS + sms_rows / RATE_QUOTAS["UpdateEndpoint"]
    return [
        ("audience file", f"{rows:,} rows, {len(body) / 1e6:,.0f} MB", "", ""),
        ("accepted / rejected (with reason)", f"{staged.accepted:,} / {staged.rejected:,}", "no reject report", ""),
        ("endpoints in Pinpoint after the import", f"{stored:,}", "", ""),
        ("parse + validate the file", f"{parse_s:.1f} s", "", ""),
        ("stage + CreateImportJob (fake runs it)", f"{import_s:.1f} s", "", ""),
        (
            "Pinpoint import calls",
            f"{ours_calls} (CreateImportJob + polls)",
            f"{sms_rows:,} UpdateEndpoint (§4)",
            "",
        ),
        (
            "PhoneNumberValidate calls",
            f"{numbers:,} (distinct SMS numbers, cached)",
            f"{rows:,} (every row, EMAIL too)",
            f"{rows / max(numbers, 1):,.1f}× fewer",
        ),
        (
            "all API calls",
            f"{numbers + ours_calls:,}",
            f"{ref_calls:,}",
            f"{ref_calls / (numbers + ours_calls):,.1f}× fewer",
        ),
        (
            "time at documented quotas",
            f"{validate_quota_s / 3600:,.1f} h (validation @ 20 rps)",
            f"{ref_quota_s / 3600:,.1f} h",
            "",
        ),
        (
            "validation sample, run for real",
            f"{len(set(sample_numbers)):,} calls for {len(sample_numbers):,} numbers ×2 drops",
            "",
            f"{sample_s:.1f} s",
        ),
    ]


class CountingStore:
    """The Pinpoint store's call pattern without the HTTP round trip: every id exists, writes are kept."""

    name = "pinpoint"

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.calls = {"GetEndpoint": 0, "UpdateEndpointsBatch": 0}

    def read(self, application_id: str, ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        out = {}
        for endpoint_id in ids:
            self.calls["GetEndpoint"] += 1
            out[endpoint_id] = dict(self.held.get((application_id, endpoint_id), {}))
        return out

    def write(self, application_id: str, updates: dict[str, dict[str, list[str]]]) -> dict[str, str]:
        self.calls["UpdateEndpointsBatch"] += -(-len(updates) // 100)
        for endpoint_id, attributes in updates.items():
            held = self.held.setdefault((application_id, endpoint_id), {})
            for name, values in attributes.items():
                if values:
                    held[name] = values
                else:
                    held.pop(name, None)
        return {}


class MemoryDynamoDB:
    """BatchGetItem / BatchWriteItem on a dict, as the ledger calls them (tests/test_event_attributes_ledger.py runs
    the ledger on moto's DynamoDB; here moto's per-call cost would dominate a 1M-event run)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, request),) = RequestItems.items()
        found = [self.items[k["pk"]["S"]] for k in request["Keys"] if k["pk"]["S"] in self.items]
        return {"Responses": {table: found}}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        for writes in RequestItems.values():
            for write in writes:
                item = write["PutRequest"]["Item"]
                self.items[item["pk"]["S"]] = item
        return {}


def activity(events: int, seed: int = 9) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(events):
        at = NOW - timedelta(seconds=rng.randrange(30 * 86400))
        # 30% of the activity from a few very active endpoints (Pareto), the rest spread over all of them.
        active = min(int(rng.paretovariate(1.2)) - 1, ENDPOINTS - 1)
        endpoint = f"ep-{active if rng.random() < 0.3 else rng.randrange(ENDPOINTS)}"
        roll = rng.random()
        if roll < 0.7:
            event_type, attributes = "_email.open", {}
        elif roll < 0.8:
            event_type, attributes = "webinar_registration", {"webinar_id": f"w{rng.randrange(6)}"}
        elif roll < 0.82:
            event_type, attributes = "webinar_cancellation", {"webinar_id": f"w{rng.randrange(6)}"}
        else:
            event_type, attributes = "_session.start", {}
        record = {
            "event_type": event_type,
            "event_timestamp": int(at.timestamp() * 1000),
            "arrival_timestamp": int(at.timestamp() * 1000) + 800,
            "application": {"app_id": APP},
            "client": {"client_id": endpoint},
            "attributes": attributes,
        }
        out.append(json.dumps(record).encode())
    return out


def _run_batches(records: list[bytes], store: Any, batch: int) -> tuple[int, int]:
    rules = load_rules()
    matched = written = 0
    for start in range(0, len(records), batch):
        result = apply_events((parse_event(r) for r in records[start : start + batch]), rules, store, NOW)
        matched += result.matched
        written += result.written
    return matched, written


def bench_attributes(events: int, sample: int) -> list[tuple[str, str, str, str]]:
    records = activity(events)
    # A sample through real boto3 clients and the Pinpoint fake, counted by the fake.
    fake = PinpointFake(enforce_quotas=False)
    fake.add_app(APP)
    sample_records = records[:sample]
    for endpoint in {json.loads(r)["client"]["client_id"] for r in sample_records}:
        fake.put_endpoint(APP, {"Id": endpoint, "ChannelType": "EMAIL", "Address": f"{endpoint}@example.com"})
    real = PinpointAttributes(fake.attach(aws_client("pinpoint", "us-east-1")))
    t0 = time.perf_counter()
    _run_batches(sample_records, real, KINESIS_BATCH)
    sample_s = time.perf_counter() - t0
    counting_sample = CountingStore()
    _run_batches(sample_records, counting_sample, KINESIS_BATCH)
    fake_calls = fake.call_counts()
    assert counting_sample.calls == {k: fake_calls.get(k, 0) for k in counting_sample.calls}, (
        counting_sample.calls,
        fake_calls,
    )

    rows = []
    for batch, with_ledger in ((KINESIS_BATCH, False), (KINESIS_BATCH, True)):
        inner = CountingStore()
        store: Any = LedgerStore(inner, MemoryDynamoDB(), "ledger") if with_ledger else inner
        t0 = time.perf_counter()
        matched, _ = _run_batches(records, store, batch)
        seconds = time.perf_counter() - t0
        pinpoint_calls = inner.calls["GetEndpoint"] + inner.calls["UpdateEndpointsBatch"]
        quota_s = (
            inner.calls["GetEndpoint"] / RATE_QUOTAS["GetEndpoint"]
            + inner.calls["UpdateEndpointsBatch"] / RATE_QUOTAS["UpdateEndpointsBatch"]
        )
        ledger_calls = f" (+ {sum(store.calls.values()):,} DynamoDB batch calls)" if with_ledger else ""
        rows.append(
            (
                f"batches of {batch:,} records{', DynamoDB ledger' if with_ledger else ''}",
                f"{inner.calls['GetEndpoint']:,} GetEndpoint + {inner.calls['UpdateEndpointsBatch']:,} "
                f"UpdateEndpointsBatch{ledger_calls}",
                f"{matched:,} UpdateEndpoint",
                f"{matched / pinpoint_calls:,.1f}× fewer Pinpoint calls; {seconds:.1f} s here; "
                f"{quota_s / 3600:,.1f} h vs {matched / RATE_QUOTAS['UpdateEndpoint'] / 3600:,.1f} h at quotas",
            )
        )
    return [
        ("activity events", f"{events:,} over {ENDPOINTS:,} endpoints", "", ""),
        *rows,
        (
            "sample through boto3 + fake",
            f"{sample:,} events: counts equal the counting store's",
            "",
            f"{sample_s:.1f} s",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} rows and events")
    parser.add_argument("--only", choices=["import", "attributes"], help="run one of the two parts")
    args = parser.parse_args(argv)
    # Every client is answered by moto or a fake; botocore still signs, so it needs some credentials.
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    rows = QUICK_SIZE if args.quick else args.rows
    events = QUICK_SIZE if args.quick else args.events
    from rich.console import Console
    from rich.table import Table

    console = Console(width=220)
    parts = {
        "import": ("Audience import vs the reference (Pinpoint fakes, moto S3, real boto3 clients)", bench_import),
        "attributes": ("Event-driven attributes vs the reference (one UpdateEndpoint per event)", bench_attributes),
    }
    for part, (title, bench) in parts.items():
        if args.only not in (None, part):
            continue
        data = bench(rows, min(2_000, rows)) if part == "import" else bench(events, min(20_000, events))
        table = Table(title=title, header_style="bold")
        for name in ("", "ours", "reference", "ratio"):
            table.add_column(name)
        for row in data:
            table.add_row(*row)
        console.print(table)
    console.print(f"machine: {machine('boto3', 'moto')}")


if __name__ == "__main__":
    main()
