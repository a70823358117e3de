"""Landing writes objects exactly where and how Kinesis Data Firehose would, cut by count, size and interval."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from englake.errors import InputError, LakeError
from englake.storage import LocalStore, open_lake
from ingest.generator import TRUTH_KEY, land_synthetic
from ingest.landing import MAX_RECORD_BYTES, BufferingHints, FirehoseLander
from ingest.layout import RAW_PREFIXES, STREAM_NAMES, Producer, endpoint_export_key, parse_object_key
from ingest.reader import inspect_lake
from ingest.synthetic import SyntheticLake
from ingest.synthetic.config import to_ms

T0 = datetime(2026, 3, 1, 10, 58, 30)


def record(n: int, producer: Producer = Producer.PINPOINT, width: int = 0) -> str:
    if producer is Producer.PINPOINT:
        body = {"event_type": "_email.send", "n": n}
    elif producer is Producer.SES:
        body = {"eventType": "Send", "mail": {"messageId": f"m{n}"}, "send": {}}
    else:
        body = {"eventType": "TEXT_DELIVERED", "messageId": f"m{n}"}
    text = json.dumps(body, separators=(",", ":"))
    return text + " " * max(0, width - len(text))  # trailing spaces pad a record to an exact size


def body_of(store: LocalStore, key: str) -> bytes:
    data = store.get(key)
    return gzip.decompress(data) if key.endswith(".gz") else data


def test_keys_follow_firehose_naming_and_parse_back(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    with FirehoseLander(store, BufferingHints(max_records=2)) as lander:
        for i, producer in enumerate([Producer.PINPOINT, Producer.SES, Producer.SMS]):
            lander.put(producer, record(i, producer), T0 + timedelta(seconds=i))
    objects = lander.report.objects
    assert len(objects) == 3
    for landed in objects:
        parsed = parse_object_key(landed.key)
        assert parsed is not None
        assert parsed.prefix == RAW_PREFIXES[landed.producer]
        assert parsed.stream == STREAM_NAMES[landed.producer]
        assert parsed.version == 1
        assert parsed.compressed
        assert parsed.arrival == landed.arrival
        assert landed.key.startswith(f"raw/{landed.producer.value}/2026/03/01/10/englake-{landed.producer.value}-1-")
    ses = next(o for o in objects if o.producer is Producer.SES)
    assert ses.key.split("/")[-1].startswith("englake-ses-1-2026-03-01-10-58-31-")
    assert sorted(s.key for s in store.list("raw/")) == sorted(o.key for o in objects)


def test_count_limit_cuts_objects_named_after_their_oldest_record(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    lander = FirehoseLander(store, BufferingHints(max_records=4))
    for i in range(10):
        lander.put(Producer.PINPOINT, record(i), T0 + timedelta(seconds=i))
    report = lander.close()
    assert [o.records for o in report.objects] == [4, 4, 2]
    assert [o.arrival for o in report.objects] == [T0, T0 + timedelta(seconds=4), T0 + timedelta(seconds=8)]
    lines = [body_of(store, o.key).decode().splitlines() for o in report.objects]
    assert lines == [[record(i) for i in range(k, min(k + 4, 10))] for k in (0, 4, 8)]


def test_size_limit_counts_delimiters_and_never_overflows(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    lander = FirehoseLander(store, BufferingHints(max_bytes=250))
    for i in range(5):
        lander.put(Producer.PINPOINT, record(i, width=100), T0)  # 100 bytes + newline = 101
    report = lander.close()
    assert [o.records for o in report.objects] == [2, 2, 1]
    assert [o.raw_bytes for o in report.objects] == [202, 202, 101]


def test_a_buffer_reaching_its_size_exactly_is_delivered(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path), BufferingHints(max_bytes=202))
    for i in range(4):
        lander.put(Producer.PINPOINT, record(i, width=100), T0)
    assert [o.records for o in lander.close().objects] == [2, 2]


def test_interval_is_measured_on_the_arrival_clock_from_the_oldest_record(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    lander = FirehoseLander(store, BufferingHints(interval_seconds=300))
    offsets = [0, 100, 299, 300, 301, 1000]
    for i, seconds in enumerate(offsets):
        lander.put(Producer.SMS, record(i, Producer.SMS), T0 + timedelta(seconds=seconds))
    report = lander.close()
    assert [o.records for o in report.objects] == [3, 2, 1]
    assert [o.arrival for o in report.objects] == [T0 + timedelta(seconds=s) for s in (0, 300, 1000)]
    # The first object spans 10:58:30–11:03:29 and still sits in the 10 o'clock folder of its oldest record.
    assert report.objects[0].key.startswith("raw/sms/2026/03/01/10/englake-sms-1-2026-03-01-10-58-30-")
    assert report.objects[1].key.startswith("raw/sms/2026/03/01/11/englake-sms-1-2026-03-01-11-03-30-")


def test_zero_interval_writes_one_object_per_record(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path), BufferingHints(interval_seconds=0))
    for i in range(3):
        lander.put(Producer.SES, record(i, Producer.SES), T0)
    assert [o.records for o in lander.close().objects] == [1, 1, 1]


def test_each_producer_has_its_own_buffer(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path), BufferingHints(max_records=3))
    for i in range(4):
        lander.put(Producer.PINPOINT, record(i), T0 + timedelta(seconds=i))
        lander.put(Producer.SES, record(i, Producer.SES), T0 + timedelta(seconds=i))
    totals = lander.close().totals()
    assert (totals[Producer.PINPOINT].objects, totals[Producer.PINPOINT].records) == (2, 4)
    assert (totals[Producer.SES].objects, totals[Producer.SES].records) == (2, 4)
    assert (totals[Producer.SMS].objects, totals[Producer.SMS].records) == (0, 0)


def test_records_out_of_arrival_order_are_refused(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path))
    lander.put(Producer.PINPOINT, record(1), T0)
    lander.put(Producer.SES, record(1, Producer.SES), T0 - timedelta(hours=1))  # another stream: its own clock
    with pytest.raises(InputError, match="pinpoint record arrived at 2026-03-01T10:58:29, before the previous"):
        lander.put(Producer.PINPOINT, record(2), T0 - timedelta(seconds=1))


def test_timezone_aware_arrivals_are_converted_to_utc(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path))
    lander.put(Producer.SMS, record(1, Producer.SMS), datetime(2026, 3, 1, 12, 0, tzinfo=UTC).astimezone())
    (landed,) = lander.close().objects
    assert landed.arrival == datetime(2026, 3, 1, 12, 0)


def test_plain_and_gzip_objects_hold_the_same_bytes(tmp_path: Any) -> None:
    plain, zipped = LocalStore(tmp_path / "plain"), LocalStore(tmp_path / "gz")
    for store, gzip_objects in ((plain, False), (zipped, True)):
        with FirehoseLander(store, gzip=gzip_objects, uuid_seed=7) as lander:
            for i in range(3):
                lander.put(Producer.PINPOINT, record(i), T0)
    (plain_obj,) = plain.list("raw/")
    (gz_obj,) = zipped.list("raw/")
    assert not plain_obj.key.endswith(".gz")
    assert gz_obj.key == plain_obj.key + ".gz"  # seeded uuids: same names, only the extension differs
    assert plain.get(plain_obj.key) == gzip.decompress(zipped.get(gz_obj.key))
    assert plain.get(plain_obj.key) == "".join(record(i) + "\n" for i in range(3)).encode()


def test_undelimited_producers_run_records_together_and_the_reader_splits_them(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    with FirehoseLander(store, delimited={Producer.SMS: False}) as lander:
        for i in range(3):
            lander.put(Producer.SMS, record(i, Producer.SMS), T0)
            lander.put(Producer.SES, record(i, Producer.SES), T0)
    sms = next(o for o in lander.report.objects if o.producer is Producer.SMS)
    assert body_of(store, sms.key) == "".join(record(i, Producer.SMS) for i in range(3)).encode()
    report = inspect_lake(store)
    assert report.parsed[Producer.SMS] == 3
    assert report.parsed[Producer.SES] == 3
    assert report.run_together_lines == 1
    assert report.quarantined_total == 0


def test_seeded_object_names_are_reproducible(tmp_path: Any) -> None:
    keys = []
    for run in range(2):
        with FirehoseLander(LocalStore(tmp_path / str(run)), BufferingHints(max_records=1), uuid_seed=42) as lander:
            for i in range(3):
                lander.put(Producer.SES, record(i, Producer.SES), T0)
        keys.append([o.key for o in lander.report.objects])
    assert keys[0] == keys[1]
    assert len(set(keys[0])) == 3


def test_a_streams_object_names_do_not_depend_on_the_other_streams(tmp_path: Any) -> None:
    """Seeded names come from one sequence per stream, so a stream landed alone (as a worker process of the generator
    lands it) gets the names it gets beside the others."""

    def ses_keys(root: str, with_pinpoint: bool) -> list[str]:
        with FirehoseLander(LocalStore(tmp_path / root), BufferingHints(max_records=1), uuid_seed=42) as lander:
            for i in range(3):
                if with_pinpoint:
                    lander.put(Producer.PINPOINT, record(i), T0 + timedelta(seconds=i))
                lander.put(Producer.SES, record(i, Producer.SES), T0 + timedelta(seconds=i))
        return [o.key for o in lander.report.objects if o.producer is Producer.SES]

    alone, beside = ses_keys("alone", False), ses_keys("beside", True)
    assert alone == beside
    assert len(set(alone)) == 3


def test_a_record_over_firehoses_size_limit_is_refused(tmp_path: Any) -> None:
    lander = FirehoseLander(LocalStore(tmp_path))
    with pytest.raises(InputError, match="exceeds Firehose's 1024000-byte record limit"):
        lander.put(Producer.PINPOINT, "x" * (MAX_RECORD_BYTES + 1), T0)


@pytest.mark.parametrize(
    ("hints", "message"),
    [
        ({"max_records": 0}, "max_records must be at least 1"),
        ({"max_bytes": 129 * 2**20}, "max_bytes must be between 1 and"),
        ({"interval_seconds": 901}, "interval_seconds must be between 0 and 900"),
    ],
)
def test_buffering_hints_outside_firehose_ranges_are_refused(hints: dict[str, int], message: str) -> None:
    with pytest.raises(InputError, match=message):
        BufferingHints(**hints)


@mock_aws
def test_landing_on_s3_writes_the_same_keys_under_the_lake_prefix() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lake-bucket")
    store = open_lake("s3://lake-bucket/team/lake", s3)
    with FirehoseLander(store, BufferingHints(max_records=2)) as lander:
        for i in range(3):
            lander.put(Producer.SES, record(i, Producer.SES), T0)
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket="lake-bucket")["Contents"])
    assert keys == sorted(f"team/lake/{o.key}" for o in lander.report.objects)
    assert all(parse_object_key(key.removeprefix("team/lake/")) is not None for key in keys)
    report = inspect_lake(store)
    assert (report.objects, report.parsed[Producer.SES], report.quarantined_total) == (2, 3, 0)


class _StandInLake(SyntheticLake):
    """A planned lake of five known lines (two of no producer, one per line's renderer call), two endpoints and a
    stand-in truth: no planning, the real rendering and landing."""

    def __init__(self) -> None:  # the plan is given, not drawn
        rows = [
            (Producer.PINPOINT, T0, record(1)),
            (None, T0 + timedelta(seconds=1), '{"hello":"world"}'),
            (Producer.SES, T0 + timedelta(seconds=2), record(2, Producer.SES)),
            (Producer.SMS, T0 + timedelta(seconds=3), '{"eventType":"TEXT_DELIVERED",'),
            (None, T0 + timedelta(seconds=4), "[1,2,3]"),
        ]
        self._entries = [
            (to_ms(arrival), seq, producer, str.encode, (line,)) for seq, (producer, arrival, line) in enumerate(rows)
        ]

    def endpoints(self) -> Any:
        yield {"Id": "e1", "ChannelType": "EMAIL", "Address": "a@example.com"}
        yield {"Id": "e2", "ChannelType": "SMS", "Address": "+14255550100"}

    def campaign_catalog(self) -> dict[tuple[str, str, str], list[dict]]:
        return {}

    @property
    def truth(self) -> Any:
        class Truth:
            def to_json_bytes(self) -> bytes:  # what land_extras stores, as GroundTruth.to_json_bytes
                return b'{"records_written": 5}'

        return Truth()


def test_land_synthetic_lands_every_line_and_writes_export_and_truth(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    seen: list[int] = []
    result = land_synthetic(
        _StandInLake(), store, application_id="app1", export_id="20260301T120000Z-seed1", progress=seen.append
    )
    assert (result.records, result.unassigned, result.endpoints) == (5, 2, 2)
    assert seen[-1] == 5
    assert seen == sorted(seen)
    assert result.endpoint_key == endpoint_export_key("app1", "20260301T120000Z-seed1")
    assert result.endpoint_key == "endpoints/app1/20260301T120000Z-seed1/part-00000.gz"
    exported = gzip.decompress(store.get(result.endpoint_key)).decode().splitlines()
    assert [json.loads(line)["Id"] for line in exported] == ["e1", "e2"]
    assert json.loads(store.get(TRUTH_KEY)) == {"records_written": 5}
    # Lines of no producer are spread over the streams, so the reader quarantines them wherever they landed.
    report = inspect_lake(store)
    assert report.records == 5
    assert report.parsed_total == 2
    assert report.quarantined == {
        "unrecognized producer": 1,
        "not a JSON object: array": 1,
        "invalid JSON: Expecting property name enclosed in double quotes": 1,
    }


def test_a_generated_lake_reads_back_to_its_ground_truth(tmp_path: Any) -> None:
    generator = pytest.importorskip("ingest.generator")
    generate_lake = generator.generate_lake

    config = generator.GeneratorConfig(seed=11, events=1_500, days=2, end=datetime(2026, 11, 20, 12))
    store = LocalStore(tmp_path)
    seen: list[tuple[int, int]] = []
    result = generate_lake(
        config,
        store,
        hints=BufferingHints(max_records=100),
        delimited={Producer.SES: False},
        progress=lambda *a: seen.append(a),
    )
    truth = generator.GroundTruth.from_json(store.get(TRUTH_KEY).decode())
    assert result.records == truth.records_written == seen[-1][0] == seen[-1][1]
    assert result.unassigned == truth.records_by_producer.get("unknown", 0)
    report = inspect_lake(store)
    bad = truth.malformed_records + truth.unclassifiable_records
    assert report.records == truth.records_written  # every line is one record (SES's run together, split again)
    assert report.quarantined_total == bad
    assert report.parsed_total == truth.records_written - bad
    assert report.reconciles
    assert {f"{p.value}:{t}" for p, t in report.unknown_types} == set(truth.unknown_event_types)
    assert report.run_together_lines == sum(
        1 for o in result.landing.objects if o.producer is Producer.SES and o.records > 1
    )
    # Generating the same config again overwrites the same objects instead of doubling the lake.
    keys = sorted(s.key for s in store.list("raw/"))
    generate_lake(config, store, hints=BufferingHints(max_records=100), delimited={Producer.SES: False})
    assert sorted(s.key for s in store.list("raw/")) == keys


def test_local_store_writes_again_into_a_folder_removed_behind_its_back(tmp_path: Any) -> None:
    """LocalStore remembers the folders it made (one mkdir per folder, not per object); a folder someone else
    removed in between is made again rather than failing the write."""
    store = LocalStore(tmp_path)
    store.put("raw/pinpoint/2026/11/20/10/a.gz", b"one")
    shutil.rmtree(tmp_path / "raw")
    store.put("raw/pinpoint/2026/11/20/10/b.gz", b"two")
    assert store.get("raw/pinpoint/2026/11/20/10/b.gz") == b"two"
    assert [o.key for o in store.list("raw/")] == ["raw/pinpoint/2026/11/20/10/b.gz"]


def test_bytes_and_text_of_the_same_record_land_the_same_object(tmp_path: Any) -> None:
    """The generator hands the lander UTF-8 bytes (no str round trip); other callers hand it text."""
    line = '{"eventType":"Send","mail":{"source":"Zoë <zoe@example.com>"}}'
    at = datetime(2026, 11, 20, 10, 0)
    for name, record in (("text", line), ("bytes", line.encode("utf-8"))):
        with FirehoseLander(LocalStore(tmp_path / name), uuid_seed=1) as lander:
            lander.put(Producer.SES, record, at)
    (text_key,) = [o.key for o in LocalStore(tmp_path / "text").list()]
    (bytes_key,) = [o.key for o in LocalStore(tmp_path / "bytes").list()]
    assert text_key == bytes_key
    assert LocalStore(tmp_path / "bytes").get(bytes_key) == LocalStore(tmp_path / "text").get(text_key)
    assert gzip.decompress(LocalStore(tmp_path / "bytes").get(bytes_key)) == line.encode("utf-8") + b"\n"


@pytest.mark.parametrize("key", ["../outside.gz", "/etc/passwd", "raw/../../outside.gz", "..", "../lakeX/sibling.gz"])
def test_local_store_refuses_keys_outside_its_root(tmp_path: Any, key: str) -> None:
    store = LocalStore(tmp_path / "lake")
    with pytest.raises(LakeError, match="escapes the lake root"):
        store.put(key, b"x")
    with pytest.raises(LakeError, match="escapes the lake root"):
        store.get(key)
    assert not (tmp_path / "outside.gz").exists()
    assert not (tmp_path / "lakeX").exists()


def test_local_store_normalises_keys_inside_its_root(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    store.put("raw/./ses/../ses/a.gz", b"x")
    assert store.get("raw/ses/a.gz") == b"x"
    assert [o.key for o in store.list("raw/")] == ["raw/ses/a.gz"]
