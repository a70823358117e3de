"""`englake models check-athena --execute`: every model's Athena SQL runs under Trino's rules (emulated on DuckDB)
over a generated lake and over AWS's documented examples, and gives the DuckDB build's rows.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from englake.dbt import PROJECT_DIR
from englake.settings import Settings
from englake.storage import LocalStore
from englake.trino.check import ModelCheck, build_duckdb, check_athena_execution
from ingest.generator import TRUTH_KEY, GeneratorConfig, generate_lake
from ingest.inputs import land_paths
from ingest.synthetic.truth import GroundTruth
from tests import channels_truth_support as channels_truth

pytestmark = pytest.mark.dbt

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = sorted(path.stem for path in (PROJECT_DIR / "models").rglob("*.sql"))
#: The analysts' queries, checked after the models (all read views built from fct_events).
ANALYSES = sorted(f"{path.stem} (analysis)" for path in (PROJECT_DIR / "analyses").rglob("*.sql"))


def _by_name(results: list[ModelCheck]) -> dict[str, ModelCheck]:
    return {result.name: result for result in results}


@pytest.fixture(scope="module")
def generated_lake(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, ModelCheck], Settings, GroundTruth]:
    """A small generated lake with every channel (as tests/test_models.py builds one, fewer events), checked end to
    end; with the DuckDB build it was compared with and its ground truth."""
    root = tmp_path_factory.mktemp("athena-generated")
    store = LocalStore(root / "lake")
    generate_lake(GeneratorConfig(seed=11, events=1_200, days=5), store)
    truth = GroundTruth.from_json(store.get(TRUTH_KEY).decode())
    end = truth.end if isinstance(truth.end, datetime) else datetime.fromisoformat(truth.end)
    settings = Settings(lake_root=str(root / "lake"), duckdb_path=str(root / "englake.duckdb"))
    dbt_vars = {"englake__segment_as_of": f"{end:%Y-%m-%d %H:%M:%S}"}
    build = build_duckdb(settings, root / "englake.duckdb", dbt_vars)
    return _by_name(check_athena_execution(settings, dbt_vars=dbt_vars, duckdb_path=build)), settings, truth


@pytest.fixture(scope="module")
def generated(generated_lake) -> dict[str, ModelCheck]:
    return generated_lake[0]


@pytest.mark.parametrize("model", MODELS)
def test_generated_lake_gives_the_same_rows_on_athena(generated, model: str) -> None:
    result = generated[model]
    assert result.ok, result.error
    assert result.athena_rows == result.duckdb_rows


@pytest.mark.parametrize("analysis", [pytest.param(a, id=a) for a in ANALYSES])
def test_generated_lake_gives_the_same_analysis_rows_on_athena(generated, analysis: str) -> None:
    """The reference README's queries, verbatim and as dbt analyses, over the emulated Athena tables."""
    result = generated[analysis]
    assert result.ok, result.error


def test_every_model_and_analysis_was_checked(generated) -> None:
    assert sorted(generated) == sorted(MODELS + ANALYSES)
    assert generated["stg_lake__records"].duckdb_rows > 1_000  # the lake is not trivially empty


@pytest.mark.parametrize("view", channels_truth.NEW_VIEWS)
def test_every_new_channel_view_has_the_truth_rows_on_athena(generated_lake, view: str) -> None:
    """The generated lake has MMS, voice, RCS and WhatsApp: each new view runs on Athena (emulated) with the rows the
    truth says, the same rows as on DuckDB (checksum), which the checks below compare with the truth value by value."""
    results, _, truth = generated_lake
    expected = channels_truth.expected_rows(truth)[view]
    assert expected > 0
    assert results[view].ok, results[view].error
    assert results[view].athena_rows == results[view].duckdb_rows == expected


@pytest.mark.parametrize("channel", channels_truth.NEW_CHANNELS)
def test_generated_status_views_equal_the_truth(generated_lake, channel: str) -> None:
    _, settings, truth = generated_lake
    channels_truth.check_status_view(settings, truth, channel)


@pytest.mark.parametrize("check", sorted(channels_truth.CHECKS))
def test_generated_channel_views_equal_the_truth(generated_lake, check: str) -> None:
    _, settings, truth = generated_lake
    channels_truth.CHECKS[check](settings, truth)


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, ModelCheck], Path]:
    """AWS's documented example records, the MMS/voice/RCS/WhatsApp and engagement-database records
    (tests/fixtures/channels), plus records that trigger each Trino difference the macros handle
    (tests/fixtures/athena_edge_cases), landed as Firehose would; the DuckDB build is kept for the known answers."""
    root = tmp_path_factory.mktemp("athena-documented")
    land_paths(
        [FIXTURES / "aws_examples", FIXTURES / "channels", FIXTURES / "athena_edge_cases"],
        LocalStore(root / "lake"),
        arrival=datetime(2026, 11, 20, 9, 30),
    )
    settings = Settings(lake_root=str(root / "lake"))
    build = build_duckdb(settings, root / "englake.duckdb")
    return _by_name(check_athena_execution(settings, duckdb_path=build, analyses=False)), build


@pytest.mark.parametrize("model", MODELS)
def test_documented_examples_give_the_same_rows_on_athena(documented, model: str) -> None:
    results, _ = documented
    result = results[model]
    assert result.ok, result.error
    assert result.athena_rows == result.duckdb_rows


def _one(build: Path, sql: str, *params: object) -> dict:
    with duckdb.connect(str(build), read_only=True) as db:
        cursor = db.execute(sql, list(params))
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(columns, rows[0], strict=True))


def test_map_values_that_are_objects_are_kept_as_json_text(documented) -> None:
    """Custom attributes and SMS contexts are user data. Athena's try_cast(json as map(varchar, varchar)) loses the
    whole map (campaign and treatment ids with it) when one value is an object or array: both engines keep it."""
    results, build = documented
    assert results["stg_pinpoint__events"].ok
    assert results["stg_sms__events"].ok
    email = _one(build, "select * from stg_pinpoint__events where message_id = 'edge-pinpoint-email-1'")
    assert email["campaign_id"] == "camp-edge"
    assert email["treatment_id"] == "0"
    assert email["event_attributes"]["survey"] == '{"score":"9"}'
    assert json.loads(email["event_attributes"]["labels"]) == ["a", "b"]
    sms = _one(build, "select * from stg_pinpoint__events where message_id = 'edge-pinpoint-sms-1'")
    assert sms["message_tags"] == {"userId": "user-edge", "prefs": '{"channel":"sms"}'}
    eum = _one(build, "select * from stg_sms__events where message_id = 'edge-eum-1'")
    assert eum["campaign_id"] == "camp-eum-edge"
    assert eum["message_tags"]["order"] == '{"id":"o-1"}'


def test_text_timestamps_keep_milliseconds_on_both_engines(documented) -> None:
    """Athena's from_iso8601_timestamp gives timestamp(3): microseconds in the text are cut on DuckDB as well."""
    results, build = documented
    assert results["stg_ses__events"].ok
    send = _one(build, "select * from stg_ses__events where message_id = 'edge-ses-1' and raw_event_type = 'Send'")
    assert send["event_at"] == datetime(2025, 11, 20, 9, 15, 0, 123000)
    delivery = _one(
        build, "select * from stg_ses__events where message_id = 'edge-ses-1' and raw_event_type = 'Delivery'"
    )
    assert delivery["event_at"] == datetime(2025, 11, 20, 9, 15, 1, 987000)


def test_integers_parse_strictly_on_both_engines(documented) -> None:
    """processingTimeMillis 546.0 and totalMessageParts 1.0 are not integers to Athena (Long.parseLong): NULL on
    both engines, instead of DuckDB's 546 and 1."""
    results, build = documented
    assert results["stg_ses__events"].ok
    assert results["stg_sms__events"].ok
    delivery = _one(
        build, "select * from stg_ses__events where message_id = 'edge-ses-1' and raw_event_type = 'Delivery'"
    )
    assert delivery["processing_time_millis"] is None
    assert delivery["invalid_fields"] == "delivery.processingTimeMillis"  # kept, and flagged on both engines
    eum = _one(build, "select * from stg_sms__events where message_id = 'edge-eum-1'")
    assert eum["message_parts"] is None
    assert eum["invalid_fields"] == "totalMessageParts"
    documented_delivery = _one(build, "select * from stg_ses__events where processing_time_millis = 11893")
    assert documented_delivery["raw_event_type"] == "Delivery"  # a documented integer still parses


@pytest.fixture(scope="module")
def model_defects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModelCheck]:
    """Records the models (not the macros) read differently on the two engines (tests/fixtures/athena_model_defects)."""
    root = tmp_path_factory.mktemp("athena-model-defects")
    lake = root / "lake"
    fixtures = FIXTURES / "athena_model_defects"
    land_paths([fixtures / "records.ndjson"], LocalStore(lake), arrival=datetime(2026, 11, 20, 9, 30))
    for key, endpoints in json.loads((fixtures / "endpoint_exports.json").read_text()).items():
        (lake / key).parent.mkdir(parents=True, exist_ok=True)
        (lake / key).write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in endpoints).encode()))
    settings = Settings(lake_root=str(lake), duckdb_path=str(root / "englake.duckdb"))
    return _by_name(check_athena_execution(settings, analyses=False))


def test_endpoint_exports_read_the_same(model_defects) -> None:
    assert model_defects["stg_pinpoint__endpoints"].ok, model_defects["stg_pinpoint__endpoints"].error


def test_pinpoint_message_parts_read_the_same(model_defects) -> None:
    assert model_defects["stg_pinpoint__events"].ok, model_defects["stg_pinpoint__events"].error


def test_message_recipients_read_the_same(model_defects) -> None:
    assert model_defects["fct_messages"].ok, model_defects["fct_messages"].error


def test_records_without_model_defects_read_the_same(model_defects) -> None:
    for model in ("stg_lake__records", "stg_ses__events", "stg_sms__events", "lake_quarantine"):
        assert model_defects[model].ok, (model, model_defects[model].error)
