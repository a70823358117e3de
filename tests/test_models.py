"""The event-lake models, built for real with dbt on DuckDB over a generated lake, checked against ground truth."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from englake.dbt import run_dbt, target_dir
from englake.errors import LakeError
from englake.models import build_models, query_local
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig
from ingest.reader import inspect_lake
from ingest.synthetic.truth import VIEWS, GroundTruth

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def lake(built_lake) -> tuple[Settings, GroundTruth, LocalStore]:
    return built_lake


def _rows(settings: Settings, sql: str) -> list[dict]:
    return query_local(sql, settings)


def _scalar(settings: Settings, sql: str):
    return next(iter(_rows(settings, sql)[0].values()))


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_has_exactly_the_generated_events(lake, view: str) -> None:
    settings, truth, _ = lake
    assert _scalar(settings, f"select count(*) from {view}") == truth.view_rows[view]


def test_views_are_not_trivially_empty(lake) -> None:
    _, truth, _ = lake
    assert all(truth.view_rows[view] > 0 for view in VIEWS), truth.view_rows
    assert truth.duplicate_records > 0  # the test exercises dedup
    assert truth.late_records > 0  # and late arrival


def test_records_in_equal_parsed_plus_quarantined_in_python_and_sql(lake) -> None:
    settings, truth, store = lake
    scan = inspect_lake(store)
    assert scan.reconciles
    sql = _rows(
        settings,
        "select count(*) as records, count(producer) as parsed, count(quarantine_reason) as quarantined "
        "from stg_lake__records",
    )[0]
    assert sql["records"] == truth.records_written == scan.records
    assert sql["quarantined"] == truth.malformed_records + truth.unclassifiable_records
    assert sql["parsed"] + sql["quarantined"] == sql["records"]
    assert sql["parsed"] == sum(scan.parsed.values())


def test_unknown_event_types_are_kept_not_dropped(lake) -> None:
    settings, truth, _ = lake
    rows = _rows(
        settings,
        "select producer, raw_event_type, count(*) as n from fct_events where event_type = 'unknown' group by all",
    )
    assert {f"{r['producer']}:{r['raw_event_type']}": r["n"] for r in rows} == truth.unknown_event_types


def test_campaign_events_carry_their_treatment_id(lake) -> None:
    """The reference read attributes['treament_id'] (typo): treatment ids were always NULL."""
    settings, truth, _ = lake
    rows = _rows(
        settings,
        "select pinpoint_campaign_id as campaign, pinpoint_treatment_id as treatment, count(*) as n "
        "from email_send where producer = 'pinpoint' and pinpoint_campaign_id is not null group by all",
    )
    got = {(r["campaign"], r["treatment"]): r["n"] for r in rows}
    expected = {
        (campaign, treatment): counts["sends"]
        for campaign, treatments in truth.campaigns.items()
        for treatment, counts in treatments.items()
        if counts["sends"] and truth.campaign_catalog[campaign]["producer"] == "pinpoint"
    }
    assert got == expected
    assert len({treatment for _, treatment in got}) > 1  # A/B campaigns are in the data


def test_campaign_counts_per_treatment_match_truth(lake) -> None:
    settings, truth, _ = lake
    metric_views = {
        "sends": "email_send",
        "deliveries": "email_delivered",
        "opens": "email_open",
        "clicks": "email_click",
        "hardbounces": "email_hardbounce",
        "softbounces": "email_softbounce",
        "complaints": "email_complaint",
        "unsubscribes": "email_unsubscribe",
        "campaign_sends": "campaign_send",
        "sms_success": "sms_success",
        "sms_failure": "sms_failure",
    }
    for metric, view in metric_views.items():
        rows = _rows(
            settings,
            f"select pinpoint_campaign_id as c, coalesce(pinpoint_treatment_id, '') as t, count(*) as n from {view} "
            "where pinpoint_campaign_id is not null group by all",
        )
        got = {(r["c"], r["t"]): r["n"] for r in rows}
        expected = {
            (c, t): counts[metric] for c, ts in truth.campaigns.items() for t, counts in ts.items() if counts[metric]
        }
        assert got == expected, metric


def test_unique_opens_and_clicks_per_campaign_in_the_report(lake) -> None:
    """The report's unit is a message to one recipient (an SES open counts for every address of its message)."""
    settings, truth, _ = lake
    rows = _rows(
        settings,
        "select campaign_id, treatment_id, sum(messages_sent) as sent, sum(unique_opens) as uo, "
        "sum(unique_clicks) as uc from rpt_campaign_performance_daily where channel = 'email' group by all",
    )
    got = {(r["campaign_id"], r["treatment_id"]): (r["sent"], r["uo"], r["uc"]) for r in rows}
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in truth.messages.values():
        if fact["campaign_id"] and fact["channel"] == "email":
            totals = expected[(fact["campaign_id"], fact["treatment_id"] or "")]
            totals[0] += 1
            totals[1] += fact["counts"].get("email_open", 0) > 0
            totals[2] += fact["counts"].get("email_click", 0) > 0
    assert got == {key: tuple(values) for key, values in expected.items()}
    # For Pinpoint campaigns (one recipient per message) that is the truth's distinct-message count too.
    for campaign, treatments in truth.campaigns.items():
        if truth.campaign_catalog[campaign]["producer"] == "pinpoint":
            for treatment, counts in treatments.items():
                if counts["sends"]:
                    assert got[(campaign, treatment)][1:] == (counts["unique_opens"], counts["unique_clicks"])


def test_report_groups_by_send_date_not_arrival_hour(lake) -> None:
    """A message that arrived days after it was sent is credited to its send date (the reference grouped by ingest)."""
    settings, truth, _ = lake
    sent_dates = Counter()
    for (_message, _recipient), fact in truth.messages.items():
        if fact["campaign_id"] and fact["channel"] == "email":
            sent_dates[(fact["campaign_id"], _as_datetime(fact["sent_at"]).date())] += 1
    rows = _rows(
        settings,
        "select campaign_id, sent_date, sum(messages_sent) as n from rpt_campaign_performance_daily "
        "where channel = 'email' group by all",
    )
    assert {(r["campaign_id"], r["sent_date"]): r["n"] for r in rows} == dict(sent_dates)


def test_message_fact_status_and_counts_match_truth(lake) -> None:
    settings, truth, _ = lake
    rows = _rows(settings, "select * from fct_messages")
    got = {(r["message_id"], r["recipient_address"]): r for r in rows}
    expected = {(m, a.lower()): fact for (m, a), fact in truth.messages.items()}
    assert set(got) == set(expected)
    mismatched = [key for key, fact in expected.items() if got[key]["latest_status"] != fact["latest_status"]]
    assert not mismatched, mismatched[:5]
    for key, fact in expected.items():
        row = got[key]
        for view, count in fact["counts"].items():
            column = f"count_{view.removeprefix('email_')}" if view.startswith("email_") else f"count_{view}"
            assert row[column] == count, (key, view)


def test_sms_price_is_taken_once_per_message(lake) -> None:
    """The reference's SMS status views added the message price to itself."""
    settings, truth, _ = lake
    rows = _rows(
        settings,
        "select message_id, recipient_address, price_in_millicents_usd, total_message_price, total_carrier_fee "
        "from fct_messages where channel = 'sms'",
    )
    priced = 0
    for row in rows:
        fact = truth.messages[(row["message_id"], row["recipient_address"])]
        if fact["price"] is None:
            continue
        priced += 1
        if fact["producer"] == "pinpoint":
            assert row["price_in_millicents_usd"] == pytest.approx(fact["price"])
        else:
            assert row["total_message_price"] == pytest.approx(fact["price"])
    assert priced > 10


def test_ses_tags_keep_their_real_names(lake) -> None:
    """The reference's struct columns (ses_configuration_set…) could never match keys like ses:configuration-set."""
    settings, _, _ = lake
    rows = _rows(
        settings,
        "select record_id, record from stg_lake__records where producer = 'ses' "
        "and record_id in (select record_id from fct_events)",  # a duplicate's second copy has no event row
    )
    expected = {
        r["record_id"]: json.loads(r["record"])["mail"].get("tags", {}).get("ses:configuration-set", [None])[0]
        for r in rows
    }
    got = {
        r["record_id"]: r["configuration_set"]
        for r in _rows(settings, "select distinct record_id, configuration_set from fct_events where producer = 'ses'")
    }
    assert got == expected
    assert sum(1 for value in got.values() if value) > 100
    tagged = _rows(
        settings,
        "select count(*) as n from fct_events where producer = 'ses' and "
        "message_tags['ses:configuration-set'] = configuration_set",
    )[0]["n"]
    assert tagged == sum(
        1
        for r in _rows(settings, "select configuration_set from fct_events where producer = 'ses'")
        if r["configuration_set"]
    )


def test_fields_aws_adds_later_survive_in_the_raw_record(lake) -> None:
    settings, truth, _ = lake
    assert truth.new_field_records > 0
    records = [r["record"] for r in _rows(settings, "select record from stg_lake__records where producer is not null")]
    known_top_level = {
        "event_type", "event_timestamp", "arrival_timestamp", "event_version", "application", "client", "device",
        "session", "attributes", "metrics", "client_context", "facets", "awsAccountId", "eventType",
        "notificationType", "mail", "bounce", "complaint", "delivery", "send", "reject", "open", "click", "failure",
        "deliveryDelay", "subscription", "eventVersion", "eventTimestamp", "isFinal", "originationPhoneNumber",
        "destinationPhoneNumber", "isInternationalSend", "isoCountryCode", "mcc", "mnc", "messageId",
        "messageRequestTimestamp", "messageEncoding", "messageType", "messageStatus", "messageStatusDescription",
        "context", "totalMessageParts", "totalMessagePrice", "totalCarrierFee", "protectConfiguration",
        "protectConfigurationAssessment", "originationNumber",
    }  # fmt: skip
    with_new_fields = [r for r in records if set(json.loads(r)) - known_top_level]
    assert len(with_new_fields) >= 1


def test_analyst_queries_match_truth(lake) -> None:
    """The reference README's two queries, verbatim and as dbt analyses, on generated data."""
    settings, truth, _ = lake
    address = _address_with_opened_and_unopened_mail(truth)
    run_dbt(["compile", "--select", "resource_type:analysis", "--vars", json.dumps({"address": address})], settings)
    compiled = target_dir() / "compiled" / "englake" / "analyses"
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        verbatim = db.execute((compiled / "reference" / "campaign_engagement_30d_verbatim.sql").read_text()).fetchall()
        ours = db.execute((compiled / "campaign_engagement_30d.sql").read_text()).fetchall()
        received = db.execute((compiled / "emails_received_30d.sql").read_text()).fetchall()
        received_verbatim = db.execute(
            (compiled / "reference" / "emails_received_30d_verbatim.sql").read_text()
        ).fetchall()

    metrics = ("sends", "opens", "clicks", "hardbounces", "softbounces", "unsubscribes")
    expected = {}
    for campaign, treatments in truth.campaigns.items():
        if sum(t["campaign_sends"] for t in treatments.values()):
            expected[campaign] = tuple(sum(t[m] for t in treatments.values()) for m in metrics)
    assert {row[0]: tuple(row[1:]) for row in verbatim} == expected
    assert {row[0]: tuple(row[1:]) for row in ours} == expected

    emails = _endpoints_by_address(truth)[address]["emails_received"]
    since = datetime.now() - timedelta(days=30)
    expected_mail = {(e["subject"], bool(e["opened"])) for e in emails if _as_datetime(e["sent_at"]) > since}
    assert {(row[1], bool(row[2])) for row in received} == expected_mail
    assert len(received) == len([e for e in emails if _as_datetime(e["sent_at"]) > since])
    assert {(row[1], bool(row[2])) for row in received_verbatim} == expected_mail


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _endpoints_by_address(truth: GroundTruth) -> dict[str, dict]:
    return {facts["address"]: facts for facts in truth.endpoints.values()}


def _address_with_opened_and_unopened_mail(truth: GroundTruth) -> str:
    for address, facts in _endpoints_by_address(truth).items():
        opened = {bool(e["opened"]) for e in facts.get("emails_received", [])}
        if opened == {True, False}:
            return address
    raise AssertionError("the generated data has no address with both opened and unopened mail")


def test_athena_sql_never_subscripts_maps(lake) -> None:
    """Trino raises on a missing map key with m['k'] (reference defect X13); every lookup goes through element_at."""
    from englake.models import check_athena_sql

    settings, _, _ = lake
    checks = check_athena_sql(settings)
    assert [c for c in checks if c.error] == []
    compiled = {c.path.name: c.path.read_text() for c in checks if "models" in c.path.parts}
    assert any("element_at(" in sql for sql in compiled.values())
    subscript = re.compile(r"[\w)\]]\s*\[\s*'")  # expr['key']: raises on a missing key in Trino
    assert [name for name, sql in compiled.items() if subscript.search(sql)] == []


def _counts_by_view(db_path: Path) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as db:
        return {view: db.execute(f"select count(*) from {view}").fetchone()[0] for view in VIEWS}


def test_incremental_runs_equal_one_full_refresh(tmp_path: Path) -> None:
    """Land a lake in three arrival-ordered slices with a build after each (a whole `dbt run` first, as a deployment
    starts, then the hourly job's selection); then rebuild it all at once into another file. Same events, same
    messages, the same rows in every view, nothing counted twice."""
    from ingest.generator import SyntheticLake
    from ingest.landing import BufferingHints, FirehoseLander

    config = GeneratorConfig(seed=5, events=2_500, days=4)
    synthetic = SyntheticLake(config)
    records = list(synthetic.records())
    store = LocalStore(tmp_path / "lake")
    incremental = Settings(lake_root=str(tmp_path / "lake"), duckdb_path=str(tmp_path / "incremental.duckdb"))
    lookback = ["--vars", json.dumps({"englake__lookback_hours": 1})]
    hourly = ["--selector", "hourly", *lookback]
    for part in range(3):
        chunk = records[part * len(records) // 3 : (part + 1) * len(records) // 3]
        with FirehoseLander(store, BufferingHints(max_records=200), uuid_seed=part) as lander:
            for record in chunk:
                lander.put(record.producer or "pinpoint", record.line, record.arrival)
        if part == 0:
            run_dbt(["seed"], incremental)
        run_dbt(["run", *(lookback if part == 0 else hourly)], incremental)
    with duckdb.connect(str(incremental.resolved_duckdb_path), read_only=True) as db:
        newest = datetime.strptime(
            db.execute("select max(datehour) from stg_lake__records").fetchone()[0], "%Y/%m/%d/%H"
        )
    # A duplicate delivery of early records, arriving long after the lookback window, must not count twice.
    late = records[:50]
    with FirehoseLander(store, BufferingHints(max_records=200), uuid_seed=99) as lander:
        for record in late:
            lander.put(record.producer or "pinpoint", record.line, records[-1].arrival + timedelta(days=3))
    run_dbt(["run", *hourly], incremental)
    # Issue 15: the last run read the late objects and no other (every object of the lookback is stored already),
    # each producer's from the newest hour stored minus the lookback on (the same literal bounds the projected
    # datehour partitions on Athena).
    since = f"{newest - timedelta(hours=1):%Y/%m/%d/%H}"
    records_sql = next((target_dir() / "compiled").rglob("stg_lake__records.sql")).read_text()
    read = re.findall(r"read_csv\(\[([^\]]*)\]", records_sql)
    assert sorted(re.findall(r"'[^']*/(raw/[^']*)'", ", ".join(read))) == sorted(o.key for o in lander.report.objects)
    late_producers = sorted({o.producer.value for o in lander.report.objects})
    bounds = re.findall(r"where filename >= '[^']*/raw/(\w+)/(\d{4}/\d{2}/\d{2}/\d{2})'", records_sql)
    assert sorted(bounds) == [(producer, since) for producer in late_producers]
    # The message marts read fct_events' partitions from the earliest arrival of a changed message on, not every day.
    for mart, column in (("fct_messages", "fct_events.ingested_at"), ("email_status", "ingested_at")):
        mart_sql = next((target_dir() / "compiled").rglob(f"{mart}.sql")).read_text()
        bound = re.search(re.escape(column) + r" >= cast\('([^']+)' as timestamp\)", mart_sql)
        assert bound, mart
        assert bound.group(1) > f"{records[0].arrival:%Y-%m-%d %H:%M:%S}", mart
    # The last run re-derived the campaign report from a send date on, not from the first day.
    report_sql = next((target_dir() / "compiled").rglob("rpt_campaign_performance_daily.sql")).read_text()
    assert re.search(r"sent_date >= date '\d{4}-\d{2}-\d{2}'", report_sql)

    full = Settings(lake_root=str(tmp_path / "lake"), duckdb_path=str(tmp_path / "full.duckdb"))
    run_dbt(["seed"], full)
    run_dbt(["run", "--full-refresh"], full)

    truth = synthetic.truth
    assert _counts_by_view(incremental.resolved_duckdb_path) == _counts_by_view(full.resolved_duckdb_path)
    assert _counts_by_view(full.resolved_duckdb_path) == {view: truth.view_rows[view] for view in VIEWS}
    with duckdb.connect(str(incremental.resolved_duckdb_path), read_only=True) as a:
        inc_messages = set(
            a.execute("select message_id, recipient_address, latest_status from fct_messages").fetchall()
        )
        inc_events = dict(a.execute("select event_id, ingested_at from fct_events").fetchall())
    with duckdb.connect(str(full.resolved_duckdb_path), read_only=True) as b:
        full_messages = set(
            b.execute("select message_id, recipient_address, latest_status from fct_messages").fetchall()
        )
        full_events = dict(b.execute("select event_id, ingested_at from fct_events").fetchall())
    assert inc_messages == full_messages
    assert inc_events == full_events  # the late duplicate kept the first arrival in both
    for status_sql in (
        "select message_id, latest_status, time_sent, time_opened, time_bounced from email_status",
        "select messageid, event_type, message_status, is_final, total_messageprice from sms_status",
        "select * from rpt_campaign_performance_daily",
    ):
        with duckdb.connect(str(incremental.resolved_duckdb_path), read_only=True) as a:
            inc_status = set(a.execute(status_sql).fetchall())
        with duckdb.connect(str(full.resolved_duckdb_path), read_only=True) as b:
            assert inc_status == set(b.execute(status_sql).fetchall())


def test_an_incremental_run_after_a_long_pause_reads_the_whole_prefix(tmp_path: Path) -> None:
    """The hourly read lists only 62 day folders from the lookback's first hour (issue 15). A lake whose newest
    hour is further back than that, as after a long pause, is read through each producer's whole glob instead,
    and an object that arrived past those days is not lost."""
    from ingest.generator import SyntheticLake
    from ingest.landing import BufferingHints, FirehoseLander

    end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) - timedelta(days=90)
    records = list(SyntheticLake(GeneratorConfig(seed=8, events=300, days=1, end=end)).records())
    store = LocalStore(tmp_path / "lake")
    settings = Settings(lake_root=str(tmp_path / "lake"), duckdb_path=str(tmp_path / "lake.duckdb"))
    only_records = ["--select", "stg_lake__records"]
    with FirehoseLander(store, BufferingHints(max_records=50), uuid_seed=1) as first:
        for record in records[:200]:
            first.put(record.producer or "pinpoint", record.line, record.arrival)
    run_dbt(["run", *only_records], settings)
    with FirehoseLander(store, BufferingHints(max_records=50), uuid_seed=2) as later:
        for record in records[200:]:
            later.put(record.producer or "pinpoint", record.line, end + timedelta(days=70))
    run_dbt(["run", *only_records], settings)

    records_sql = next((target_dir() / "compiled").rglob("stg_lake__records.sql")).read_text()
    assert "read_csv([" not in records_sql
    assert re.search(r"read_csv\('[^']*/raw/\w+/\*\*/\*'", records_sql)
    landed = first.report.records + later.report.records
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        assert db.execute("select count(*) from stg_lake__records").fetchone()[0] == landed


def test_documented_aws_examples_become_the_rows_they_describe(tmp_path: Path) -> None:
    """Land AWS's documented example records (pretty-printed, as published) and read back what they say."""
    from ingest.inputs import land_paths

    fixtures = Path(__file__).parent / "fixtures" / "aws_examples"
    store = LocalStore(tmp_path / "lake")
    land_paths([fixtures], store, arrival=datetime(2026, 11, 20, 9, 30))
    settings = Settings(lake_root=str(tmp_path / "lake"))
    result = build_models(settings)
    assert result.statuses.get("error", 0) == 0
    assert result.statuses.get("fail", 0) == 0

    def one(sql: str) -> dict:
        rows = _rows(settings, sql)
        assert len(rows) == 1, rows
        return rows[0]

    bounce = one("select * from email_hardbounce where bounced_recipient_email_address = 'jane@example.com'")
    assert bounce["bounced_recipient_diagnostic_code"] == "smtp; 550 5.1.1 <jane@example.com>... User"
    assert bounce["bounce_sub_type"] == "General"
    assert bounce["bounced_recipient_status"] == "5.1.1"
    assert bounce["event_timestamp"] == datetime(2016, 1, 27, 14, 59, 38, 237000)  # milliseconds kept
    sms = one("select * from sms_success where producer = 'pinpoint'")
    assert sms["pinpoint_treatment_id"] == "0"  # the reference's treament_id typo made it NULL
    assert sms["price_in_millicents_usd"] == 645.0
    assert sms["pinpoint_campaign_id"] == "52dc44b35c4742c98c5935269example"
    assert sms["message_tags"] == {"userId": "user-id-4"}
    eum = one("select * from sms_success where producer = 'sms'")
    assert eum["message_id"] == "862a8790-60c0-4430-9b2b-658bdexample"
    assert eum["total_message_price"] == 0.09582
    delivered = one("select * from email_delivered where processing_time_millis = 11893")
    assert delivered["recipients"] == ["recipient@example.com"]
    assert delivered["configuration_set"] == "ConfigSet"
    assert delivered["message_tags"]["myCustomTag1"] == "myCustomTagValue1"
    click = one("select * from email_click where producer = 'pinpoint'")
    assert click["link"] == "https://aws.amazon.com/pinpoint/"
    assert one("select count(*) as n from email_unsubscribe")["n"] == 1  # the SES Subscription example opts out
    status = one(
        "select * from email_status where message_id = '0200000073rnbmd1-mbvdg3uo-q8ia-m3ku-ibd3-ms77kexample-000000'"
    )
    assert status["latest_status"] == "email_click"
    assert status["time_opened"] is not None


def _members(settings: Settings, segment: str) -> set[str]:
    rows = _rows(settings, f"select endpoint_id from segment_membership where segment_name = '{segment}'")
    return {r["endpoint_id"] for r in rows}


def test_segment_engaged_recent_buyers_matches_truth(lake) -> None:
    """Opened more than 2 emails in 9 months, viewed a product page in the last 24 h, purchased in 3 months."""
    settings, truth, _ = lake
    end = _as_datetime(truth.end)
    expected = set()
    for endpoint_id, facts in truth.endpoints.items():
        opened = {
            f["message_id"]
            for f in facts["email_opens"]
            if not f["bot"] and end - timedelta(days=270) <= _as_datetime(f["time"]) <= end
        }
        events = facts["events"]
        viewed = any(_as_datetime(e["time"]) >= end - timedelta(hours=24) for e in events.get("product_page_view", []))
        bought = any(
            _as_datetime(e["time"]) >= end - timedelta(days=90) for e in events.get("_monetization.purchase", [])
        )
        if len(opened) > 2 and viewed and bought:
            expected.add(endpoint_id)
    assert expected  # the data has members…
    assert _members(settings, "engaged_recent_buyers") == expected  # …and exactly these


def test_segment_webinar_registrants_who_opened_the_invitation(lake) -> None:
    settings, truth, _ = lake
    invitation = next(c for c, meta in truth.campaign_catalog.items() if meta["webinar_id"] == "webinar5")
    registered = {
        e
        for e, facts in truth.endpoints.items()
        if any(r["attributes"]["webinar_id"] == "webinar5" for r in facts["events"].get("webinar_registration", []))
    }
    opened = {
        e for e, facts in truth.endpoints.items() if any(f["campaign_id"] == invitation for f in facts["email_opens"])
    }
    assert registered - opened  # some registrants never opened it: they must stay out
    assert _members(settings, "webinar_registrants_opened_invite") == registered & opened


def test_the_hourly_selection_runs_on_a_fully_built_file_only(lake, tmp_path: Path) -> None:
    """`englake models build --selector hourly` checks for a full build first (tests/test_cli_commands.py shows the
    refusal end to end): the session's fully built file passes; a file with tables but no fct_events does not."""
    from englake.models import _require_a_full_build

    settings, _, _ = lake
    _require_a_full_build(settings.resolved_duckdb_path, "hourly")  # built by `englake models build`: no error
    partial = tmp_path / "partial.duckdb"
    with duckdb.connect(str(partial)) as db:
        db.execute("create table stg_lake__records (record_id varchar)")
    with pytest.raises(LakeError, match="has had none: run `englake models build` first"):
        _require_a_full_build(partial, "hourly")
