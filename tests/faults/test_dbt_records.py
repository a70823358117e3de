"""Record-level faults the dbt models must survive (issue 9, the dbt side), each on a crafted lake built for real.

One lake holds every fault at once, built once with `dbt build` on DuckDB: a build that stops on any of them fails
the fixture. Known answers come from the crafted bytes (counted by hand), never from the models' own output.
"""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from englake.dbt import run_dbt
from englake.models import build_models, query_local
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.layout import RAW_PREFIXES, STREAM_NAMES, Producer, object_key
from ingest.quarantine import QuarantineEntry, input_quarantine_key, quarantine_key
from ingest.reader import LakeRecord, inspect_lake, read_lake, split_line

pytestmark = pytest.mark.dbt

ARRIVAL = datetime(2026, 3, 4, 5, 6, 7)
BEFORE_1970 = datetime(1969, 12, 31, 23, 59, 0)


def _send(message_id: str, event_timestamp: object, **extra: object) -> str:
    record = {
        "event_type": "_email.send",
        "event_timestamp": event_timestamp,
        "arrival_timestamp": 1772600000000,
        "application": {"app_id": "app-1"},
        "client": {"client_id": f"endpoint-{message_id}"},
        "attributes": {"campaign_id": "camp-1", "treatment_id": "0"},
        "facets": {
            "email_channel": {
                "mail_event": {
                    "mail": {"message_id": message_id, "destination": ["a@example.com"], **extra},
                }
            }
        },
    }
    return json.dumps(record, separators=(",", ":"))


# Defect (issue 9): event_timestamp 1e16 ms failed fct_events (Timestamp(MS) -> Timestamp(US)) for good.
HUGE_TIMESTAMP = _send("m-huge", 10_000_000_000_000_000)
# Defect (issue 9): a non-numeric event_timestamp became NULL and two distinct events collapsed into one key.
TEXT_TIMESTAMP_A = _send("m-text", "abc")
TEXT_TIMESTAMP_B = _send("m-text", "xyz")
# Defect (issue 9): JSON null eventType counted as present (json_type 'NULL'): a not-null test skipped 138 nodes.
SES_NULL_EVENT_TYPE = '{"eventType":null,"mail":{"messageId":"ses-null"}}'
SES_NULL_EVENT_TYPE_NOTIFICATION = (
    '{"eventType":null,"notificationType":"Bounce","mail":{"messageId":"ses-n2","timestamp":"2026-03-04T05:00:00.000Z"},'
    '"bounce":{"bounceType":"Permanent","timestamp":"2026-03-04T05:00:01.000Z",'
    '"bouncedRecipients":[{"emailAddress":"x@example.com","action":"failed","status":"5.1.1"}]}}'
)
# Defect (issue 9): a `}{` inside a string on a run-together line split differently in SQL and Python: an event lost.
BRACES_IN_SUBJECT = _send("m-braces", 1772600000001, common_headers={"subject": 'odd "}{" subject }{ here'})
RUN_TOGETHER = BRACES_IN_SUBJECT + _send("m-after-braces", 1772600000002)
# Defect (issue 9): a record of 1969 lands under raw/.../1969/... and was in neither fct_events nor the quarantine.
OLD_SEND = _send("m-1969", -60_000)
# Lines both readers must cut the same way (the shared rule: cut at `}{` outside strings, found left to right).
TRICKY_LINES = [
    r'{"event_type":"_email.send","x":"a\"}{\"b"}{"event_type":"_email.open","arrival_timestamp":5}',
    '{"event_type":"_email.send","x":"unterminated}{"event_type":"_email.open"}',
    '{"event_type":"_email.click","n":1} \t {"event_type":"_email.click","n":2}{"broken":',
    '{"a":"}"}{"b":"{"}{"event_type":"_email.open","q":"\\\\"}',
]
GOOD_SEND = _send("m-good", 1772600000003)
# Defect (issue 10): the RCS types were known to the Python reader and 'unknown' in dbt; the seed is the one list now.
RCS_DELIVERED = '{"eventType":"RCS_DELIVERED","messageId":"rcs-1","eventTimestamp":1772600000000,"isFinal":true}'


def _key(producer: Producer, arrival: datetime, n: int) -> str:
    return object_key(RAW_PREFIXES[producer], STREAM_NAMES[producer], arrival, object_id=uuid.UUID(int=n, version=4))


def _land(store: LocalStore) -> dict[str, list[str]]:
    objects = {
        _key(Producer.PINPOINT, ARRIVAL, 1): [
            HUGE_TIMESTAMP,
            TEXT_TIMESTAMP_A,
            TEXT_TIMESTAMP_B,
            RUN_TOGETHER,
            GOOD_SEND,
            *TRICKY_LINES,
        ],
        _key(Producer.SES, ARRIVAL, 2): [SES_NULL_EVENT_TYPE, SES_NULL_EVENT_TYPE_NOTIFICATION],
        _key(Producer.SMS, ARRIVAL, 4): [RCS_DELIVERED],
        _key(Producer.PINPOINT, BEFORE_1970, 3): [OLD_SEND],
    }
    for key, lines in objects.items():
        store.put(key, gzip.compress(("\n".join(lines) + "\n").encode()))
    return objects


UNREADABLE_KEY = "raw/ses/2026/03/04/05/englake-ses-1-2026-03-04-05-06-07-broken.gz"


def _write_python_quarantine(store: LocalStore) -> None:
    """What the sweep (and land) record: one unreadable object, one record SQL also sees, one unreadable input."""
    sweep = QuarantineEntry.make(
        source=f"{store.uri(UNREADABLE_KEY)}",
        key=UNREADABLE_KEY,
        line=None,
        offset=None,
        reason="unreadable object: corrupt gzip",
        record=None,
        detail="BadGzipFile: Not a gzipped file",
    )
    also_in_sql = QuarantineEntry.make(
        source="x", key=_key(Producer.SES, ARRIVAL, 2), line=1, offset=0, reason="unrecognized producer", record="{}"
    )
    store.put(quarantine_key(UNREADABLE_KEY), (sweep.to_json() + "\n" + also_in_sql.to_json() + "\n").encode())
    land_input = QuarantineEntry.make(
        source="/data/in.json", key=None, line=3, offset=10, reason="invalid JSON: Expecting value", record="{"
    )
    store.put(input_quarantine_key("/data/in.json"), (land_input.to_json() + "\n").encode())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, LocalStore]:
    root = tmp_path_factory.mktemp("faulty-lake")
    store = LocalStore(root / "lake")
    _land(store)
    _write_python_quarantine(store)
    settings = Settings(lake_root=str(root / "lake"), duckdb_path=str(root / "first.duckdb"))
    result = build_models(settings)
    assert result.statuses.get("error", 0) == 0, result.statuses
    assert result.statuses.get("fail", 0) == 0, result.statuses
    assert result.statuses.get("skipped", 0) == 0, result.statuses
    return settings, store


def _one(settings: Settings, sql: str) -> dict:
    rows = query_local(sql, settings)
    assert len(rows) == 1, rows
    return rows[0]


def test_out_of_range_event_timestamp_is_kept_flagged_and_does_not_stop_the_build(built) -> None:
    settings, _ = built
    row = _one(settings, "select event_at, invalid_fields, event_type from fct_events where message_id = 'm-huge'")
    assert row == {"event_at": None, "invalid_fields": "event_timestamp", "event_type": "email_send"}


def test_unparseable_event_timestamps_do_not_collapse_two_events(built) -> None:
    settings, _ = built
    rows = query_local("select event_id, invalid_fields from fct_events where message_id = 'm-text'", settings)
    assert len(rows) == 2
    assert {r["invalid_fields"] for r in rows} == {"event_timestamp"}


def test_json_null_event_type_counts_as_absent(built) -> None:
    settings, _ = built
    quarantined = query_local(
        "select quarantine_reason from lake_quarantine where record like '%ses-null%' and found_by = 'sql'", settings
    )
    assert quarantined == [{"quarantine_reason": "unrecognized producer"}]
    bounce = _one(settings, "select raw_event_type, event_type from fct_events where message_id = 'ses-n2'")
    assert bounce == {"raw_event_type": "Bounce", "event_type": "email_hardbounce"}


def test_braces_inside_a_string_do_not_cut_a_run_together_line_in_sql_or_python(built) -> None:
    settings, _ = built
    ids = {r["message_id"] for r in query_local("select message_id from fct_events", settings)}
    assert {"m-braces", "m-after-braces"} <= ids
    subject = _one(settings, "select subject from fct_events where message_id = 'm-braces'")["subject"]
    assert subject == 'odd "}{" subject }{ here'
    python = [text for _, text, value in split_line(RUN_TOGETHER) if isinstance(value, dict)]
    assert python == [BRACES_IN_SUBJECT, _send("m-after-braces", 1772600000002)]


def test_sql_and_python_readers_find_the_same_records(built) -> None:
    settings, store = built
    scan = inspect_lake(store)
    sql = _one(
        settings,
        "select count(*) as records, count(producer) as parsed, count(quarantine_reason) as quarantined "
        "from stg_lake__records",
    )
    assert sql == {"records": scan.records, "parsed": sum(scan.parsed.values()), "quarantined": scan.quarantined_total}
    assert scan.records == 19  # counted by hand from the crafted lines
    python_texts = sorted(item.text if isinstance(item, LakeRecord) else item.record or "" for item in read_lake(store))
    sql_texts = sorted(r["record"] for r in query_local("select record from stg_lake__records", settings))
    assert sql_texts == python_texts


def test_rcs_events_have_their_canonical_type_from_the_seed(built) -> None:
    settings, _ = built
    row = _one(settings, "select event_type, channel, is_final from fct_events where message_id = 'rcs-1'")
    assert row == {"event_type": "rcs_success", "channel": "rcs", "is_final": True}


def test_a_record_from_before_1970_is_an_event(built) -> None:
    settings, _ = built
    row = _one(settings, "select event_at, ingested_at from fct_events where message_id = 'm-1969'")
    assert row["event_at"] == datetime(1969, 12, 31, 23, 59, 0)
    assert row["ingested_at"] == datetime(1969, 12, 31, 23, 0, 0)


def test_lake_quarantine_is_one_quarantine_of_sql_and_python_entries(built) -> None:
    settings, _ = built
    rows = query_local("select found_by, quarantine_reason, object_key, line_number from lake_quarantine", settings)
    assert Counter((r["found_by"], r["quarantine_reason"]) for r in rows) == {
        # the eventType-null SES record, and the tricky lines' '{"a":"}"}' and '{"b":"{"}'
        ("sql", "unrecognized producer"): 3,
        ("sql", "invalid JSON"): 2,  # the tricky lines' broken pieces
        ("python", "unreadable object: corrupt gzip"): 1,  # what the sweep took out of raw/
        ("python", "invalid JSON: Expecting value"): 1,  # an unreadable input of `lake land`
    }  # the Python entry for a record SQL also quarantines is not counted twice
    by_reason = {r["quarantine_reason"]: r for r in rows if r["found_by"] == "python"}
    assert by_reason["unreadable object: corrupt gzip"]["object_key"] == UNREADABLE_KEY
    assert by_reason["invalid JSON: Expecting value"]["line_number"] == 3
    ses_null = [r for r in rows if r["object_key"] == _key(Producer.SES, ARRIVAL, 2)]
    assert [(r["found_by"], r["line_number"]) for r in ses_null] == [("sql", None)]


def test_record_ids_do_not_depend_on_where_the_lake_is_mounted(built, tmp_path: Path) -> None:
    settings, _ = built
    moved = tmp_path / "elsewhere" / "renamed-lake"
    shutil.copytree(settings.local_lake_path, moved)
    moved_settings = Settings(lake_root=str(moved), duckdb_path=str(tmp_path / "moved.duckdb"))
    run_dbt(["run", "--select", "stg_lake__records"], moved_settings)
    with duckdb.connect(str(moved_settings.resolved_duckdb_path), read_only=True) as db:
        moved_ids = {row[0] for row in db.execute("select record_id from stg_lake__records").fetchall()}
    first_ids = {r["record_id"] for r in query_local("select record_id from stg_lake__records", settings)}
    assert moved_ids == first_ids
