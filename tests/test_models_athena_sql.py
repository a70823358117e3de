"""The Athena (Trino) SQL of the models, compiled offline and read: what Trino's analyzer would refuse, the literal
partition predicates that bound Athena's scans, and dbt vars reaching SQL only as quoted literals."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from englake.dbt import PROJECT_DIR, DbtError, run_dbt, target_dir
from englake.settings import OFFLINE_COMPILE_ATHENA, Settings
from ingest.layout import Producer

pytestmark = pytest.mark.dbt

#: dbt writes where DBT_TARGET_PATH says (relative to the project), else to the project's target/.
COMPILED = target_dir() / "compiled" / "englake"
QUOTED_VARS = {
    "englake__segment_webinar_id": "we'binar",
    "englake__webinar_invitation_subject": "%o'k%",
    "englake__webinar_invitation_campaign_ids": ["c'1", "c2"],
    "englake__start_datehour": "2026/01/01/00",
    "englake__segment_min_opens": 3,
    "englake__segment_as_of": "2026-02-03 04:05:06",
    "englake__lookback_hours": 12,
    "address": "o'brien@example.com",
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    settings = Settings(lake_root=str(tmp_path_factory.mktemp("no-lake")))
    shutil.rmtree(COMPILED, ignore_errors=True)
    run_dbt(
        ["compile", "--no-populate-cache", "--vars", json.dumps(QUOTED_VARS)],
        settings,
        target="athena",
        athena=OFFLINE_COMPILE_ATHENA,
    )
    return {path.stem: path.read_text() for path in COMPILED.rglob("*.sql") if "tests" not in path.parts}


def test_fct_events_unnests_recipient_rows_with_every_field_named(compiled) -> None:
    """Defect (issue 8): `cross join unnest(<array of row>) as fan (recipient)` has one name for four columns; Trino
    rejects it and all 26 models downstream of fct_events failed on Athena."""
    sql = compiled["fct_events"]
    assert re.search(r"unnest\(.*\)\s+as fan \(email_address, action, status, diagnostic_code\)", sql)
    assert "fan (recipient)" not in sql
    # The row type unnested is the one the staging models build, field for field.
    assert (
        "row(email_address varchar, action varchar, status varchar, diagnostic_code varchar)"
        in (compiled["stg_ses__events"])
    )


def test_every_unnest_alias_names_as_many_columns_as_its_array_has(compiled) -> None:
    """The other unnests in the models take arrays of scalars (one name) or the recipient rows (four)."""
    aliases = [
        (name, match.group(1).split(", "))
        for name, sql in compiled.items()
        for match in re.finditer(r"\bunnest\(.*?\)\s+as \w+ \(([^)]*)\)", sql, flags=re.S)
    ]
    assert aliases
    for name, columns in aliases:
        assert len(columns) in (1, 4), (name, columns)
        if len(columns) == 4:
            assert name == "fct_events"


def test_the_canonical_columns_reach_the_union_by_name_and_type(compiled) -> None:
    """int_events_unioned is no `select *` union relying on column order: each branch names the same columns, and
    each staging model casts every one of them (a typed NULL where the producer has none), in the same order."""
    branches = [b.strip() for b in re.findall(r"select (.*?) from ", compiled["int_events_unioned"], flags=re.S)]
    assert len(branches) == len(Producer)  # one staging model per producer
    assert len(set(branches)) == 1
    names = branches[0].split(", ")
    assert "*" not in names
    assert len(names) > 60
    for staging in ("stg_pinpoint__events", "stg_ses__events", "stg_sms__events"):
        final_select = re.split(r"\bselect\b", compiled[staging].rsplit("from renamed", 1)[0])[-1]
        aliases = re.findall(r"\bas (\w+),?$", final_select, flags=re.M)
        assert aliases == names, staging


def test_raw_reads_carry_a_literal_partition_predicate(compiled) -> None:
    """Athena cost (issue 15): the raw read is bounded by a literal on the projected partition column."""
    records = compiled["stg_lake__records"]
    assert records.count("where datehour >= '2026/01/01/00'") == len(Producer)  # one raw read per producer


def test_vars_reach_sql_only_as_quoted_literals(compiled) -> None:
    webinar = compiled["seg_webinar_registrants_opened_invite"]
    assert "= 'we''binar'" in webinar
    assert "in ('c''1', 'c2')" in webinar
    assert "opened_emails > 3" in compiled["seg_engaged_recent_buyers"]
    assert "'o''brien@example.com'" in compiled["emails_received_30d"]
    assert "'o''brien@example.com'" in compiled["emails_received_30d_verbatim"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("englake__segment_as_of", "2026-01-01' or '1'='1"),
        ("englake__start_datehour", "2026/01/01/00' or '1'='1"),
        ("englake__segment_min_opens", "2 or 1=1"),
        ("englake__lookback_hours", "24'"),
    ],
)
def test_a_var_that_is_not_its_type_stops_the_compile_naming_it(name: str, value: str, tmp_path: Path) -> None:
    settings = Settings(lake_root=str(tmp_path))
    with pytest.raises(DbtError, match=name):
        run_dbt(
            ["compile", "--no-populate-cache", "--select", "stg_lake__records seg_engaged_recent_buyers",
             "--vars", json.dumps({name: value})],
            settings,
            target="athena",
            athena=OFFLINE_COMPILE_ATHENA,
        )  # fmt: skip


#: The incremental models and how each writes on Athena (issue 8: no MERGE scans a whole table where none is needed).
#: stg_lake__records and fct_events leave out every key stored before; the campaign report deletes the send dates it
#: re-derives first (its pre-hook).
APPEND_MODELS = {"stg_lake__records", "fct_events", "rpt_campaign_performance_daily"}
MERGE_MODELS = {
    "fct_messages",
    "email_status",
    "sms_status",
    "mms_status",
    "voice_status",
    "rcs_status",
    "whatsapp_status",
}


def _incremental_configs(compiled) -> dict[str, dict]:
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    return {
        node["name"]: node["config"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


def test_models_that_add_only_new_keys_append_on_athena(compiled) -> None:
    configs = _incremental_configs(compiled)
    assert set(configs) == APPEND_MODELS | MERGE_MODELS
    for name in APPEND_MODELS:
        assert configs[name]["incremental_strategy"] == "append", name
        assert configs[name].get("incremental_predicates") is None, name
    # What makes append safe: the SQL of an incremental run leaves out the keys already stored.
    assert re.search(r"where record_id not in \(\s*select record_id from", _source("stg_lake__records"))
    assert "and event_id not in (select event_id from {{ this }})" in _source("fct_events")
    report = configs["rpt_campaign_performance_daily"]
    assert report["partitioned_by"] == ["day(sent_date)"]
    assert [hook["sql"] for hook in report["pre-hook"]] == [
        "{{ englake.delete_rederived(ref('fct_messages'), 'sent_date', 'last_ingested_at') }}"
    ]


def test_message_marts_merge_with_the_target_scan_bounded_by_its_partition_column(compiled) -> None:
    """The merge's extra ON predicate names the target's partition column (day(last_ingested_at)) against the new
    row's first arrival: true for every stored version the row replaces, so nothing that should match is missed."""
    configs = _incremental_configs(compiled)
    for name in MERGE_MODELS:
        config = configs[name]
        assert config["incremental_strategy"] == "merge", name
        assert config["table_type"] == "iceberg", name
        assert config["partitioned_by"] == ["day(last_ingested_at)"], name
        assert config["incremental_predicates"] == ["target.last_ingested_at >= src.first_ingested_at"], name


def _source(model: str) -> str:
    return next((PROJECT_DIR / "models").rglob(f"{model}.sql")).read_text()


def test_the_only_raw_read_of_an_incremental_run_is_bounded_by_the_partition_predicate(compiled) -> None:
    """Athena cost (issue 15): of the incremental models only stg_lake__records reads the raw Firehose tables, each
    through the literal datehour predicate (test_raw_reads_carry_a_literal_partition_predicate); the others read
    models. On an incremental run the literal is the newest stored hour minus the lookback (tests/test_models.py)."""
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    raw_sources = {f"source.englake.lake.raw_{producer.value}" for producer in Producer}
    reads = {
        node["name"]: set(node["depends_on"]["nodes"]) & raw_sources
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }
    assert reads.pop("stg_lake__records") == raw_sources
    assert reads == {name: set() for name in reads}


def test_athena_models_persist_their_descriptions_to_glue(compiled) -> None:
    """Column and table descriptions reach Glue on Athena (the console shows them); dbt_project.yml renders the
    per-target switch to a real boolean, which a string "False" would not be."""
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert models
    for node in models:
        assert node["config"]["persist_docs"] == {"relation": True, "columns": True}, node["name"]
