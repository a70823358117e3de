"""Model benchmark: dbt build of the event lake, and the reference README's two analyst queries over our models
against naive views that parse the raw JSON on every query.

    python -m benchmarks.models            # 1,000,000 events over 30 days
    python -m benchmarks.models --quick    # 20,000 events over 3 days, queries timed once, no separate `dbt run`,
                                           # the hour timed with the hourly selection only
    python -m benchmarks.models --keep     # keep the temporary lake and DuckDB files (the path is printed)

Everything runs in a fresh folder under the system temp dir: a generated lake (GeneratorConfig, generate_lake), then
`dbt build` (models and tests) into one DuckDB file and `dbt run` (models only, after `dbt seed`) into another, then
one more hour of records landed through the Firehose lander and an incremental `dbt run` on the built file, then the
hour after it and the hourly job's selection (`dbt run --selector hourly`). Every dbt run is timed in this process,
where dbt is imported once. At full size, nine floors: importing dbt in a fresh process, dbt's start-up (a run
that selects nothing), the hourly selection and a whole `dbt run` with nothing new, DuckDB reading every raw line,
the build's reading and parsing alone (its two parsing models' SQL in an in-memory DuckDB, without dbt or disk: the
work a one-pass design still does), `englake models build` selecting nothing as a fresh command, the hourly
selection on no rows (`--empty`: dbt's own cost per model) and its tables alone on no rows; and the hourly job as
users run it, `englake models build --selector hourly` as a fresh command with nothing new.

The two queries are the verbatim files in dbt_project/analyses/reference/ (the address var set to the most frequent
Pinpoint email_send recipient). "Ours" runs them on the built DuckDB file. "Naive" runs them on views with the same
names and columns as the reference's (reference/seed-architectures-spec.md, 6a) that call DuckDB's read_json on the
raw gzip objects under raw/pinpoint/ on every query: the reference's Glue table held the Pinpoint event stream only.
Each view declares just the JSON fields its own columns need (not the whole Glue schema), which is the cheapest way to
write them, so the speed-ups printed are lower bounds. Timings: the first run (cold) and the best of three after it.

The answers are compared twice: as run (ours also counts SES-native mail tagged with a campaign and stores each event
once; the naive views count every duplicate delivery), then on the rows both can see (ours restricted to
producer = 'pinpoint', the naive views deduplicated on the event's own fields), where they must agree.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from benchmarks import machine as describe_machine
from englake.dbt import PROJECT_DIR, run_dbt, selected_models
from englake.models import build_models
from englake.project import DBT_WORK_DIR_VARIABLE
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, SyntheticLake, generate_lake
from ingest.landing import FirehoseLander, LandingReport
from ingest.layout import Producer

DAYS = 30  # the analyst queries look back 30 days
#: --quick: a small lake over few days (objects, not events, drive the cost of a small lake: one per producer per
#: buffer interval), each query run once (cold), no separate models-only run. It shows the code works, not the speed.
QUICK_EVENTS, QUICK_DAYS, QUICK_REPEATS = 20_000, 3, 0
QUERY_DIR = PROJECT_DIR / "analyses" / "reference"
QUERIES = {
    "query 1 (campaigns)": "campaign_engagement_30d_verbatim.sql",
    "query 2 (one address)": "emails_received_30d_verbatim.sql",
}
REPEATS = 3
#: Targets from the issue (floors) and aims from DESIGN.md "Performance".
TARGET_SPEEDUP, AIM_SPEEDUP = 10, 100
TARGET_BUILD_S, AIM_BUILD_S, AIM_INCREMENTAL_S = 120, 30, 5

# The reference's views (seed-architectures-spec.md 6a), as DuckDB reads the raw Pinpoint JSON: each entry is the
# event type, the JSON fields read (dotted path → DuckDB type), and the view's columns.
_MAP = "MAP(VARCHAR, VARCHAR)"
_MAIL = "facets.email_channel.mail_event."
_COMMON_FIELDS = {
    "event_type": "VARCHAR",
    "event_timestamp": "BIGINT",
    "arrival_timestamp": "BIGINT",
    "application.app_id": "VARCHAR",
    "client.client_id": "VARCHAR",
    "attributes": _MAP,
    "awsAccountId": "VARCHAR",
}
_COMMON_COLUMNS = [
    "epoch_ms(event_timestamp) AS event_timestamp",
    "epoch_ms(arrival_timestamp) AS arrival_timestamp",
    "application.app_id AS application_id",
    "client.client_id AS endpoint_id",
    "attributes['campaign_id'] AS pinpoint_campaign_id",
    "attributes['treament_id'] AS pinpoint_treatment_id",  # sic: the reference's typo
    "awsAccountId AS aws_account_id",
]
_MAIL_FIELDS = {
    _MAIL + "mail.message_id": "VARCHAR",
    _MAIL + "mail.message_send_timestamp": "BIGINT",
    _MAIL + "mail.from_address": "VARCHAR",
    _MAIL + "mail.destination": "VARCHAR[]",
    "client_context.custom": _MAP,
}
_MAIL_COLUMNS = [
    f"{_MAIL}mail.message_id AS message_id",
    f"epoch_ms({_MAIL}mail.message_send_timestamp) AS message_send_timestamp",
    f"{_MAIL}mail.from_address AS from_address",
    f"{_MAIL}mail.destination AS destination",
]
_SUBJECT = ({_MAIL + "mail.common_headers.subject": "VARCHAR"}, [f"{_MAIL}mail.common_headers.subject AS subject"])
_EMAIL_TAGS = f"map_concat(coalesce(client_context.custom, MAP {{}}::{_MAP}), attributes) AS message_tags"
_CLICK_FIELDS = {
    _MAIL + "click.ip_address": "VARCHAR",
    _MAIL + "click.user_agent": "VARCHAR",
    _MAIL + "click.link": "VARCHAR",
}
_CLICK_COLUMNS = [
    f"{_MAIL}click.ip_address AS ip_address",
    f"{_MAIL}click.user_agent AS user_agent",
    f"{_MAIL}click.link AS link",
]
_BOUNCE_FIELDS = {
    _MAIL + "bounce.bounce_type": "VARCHAR",
    _MAIL + "bounce.bounce_sub_type": "VARCHAR",
    _MAIL + "bounce.feedback_id": "VARCHAR",
    _MAIL + "bounce.reporting_mta": "VARCHAR",
    _MAIL + "bounce.bounced_recipients": 'STRUCT(email_address VARCHAR, "action" VARCHAR, status VARCHAR, '
    "diagnostic_code VARCHAR)[]",
}
_BOUNCE_COLUMNS = [
    f"{_MAIL}bounce.bounce_type AS bounce_type",
    f"{_MAIL}bounce.bounce_sub_type AS bounce_sub_type",
    f"{_MAIL}bounce.feedback_id AS feedback_id",
    f"{_MAIL}bounce.reporting_mta AS reporting_mta",
    "bounced_recipient.email_address AS bounced_recipient_email_address",
    "bounced_recipient.action AS bounced_recipient_action",
    "bounced_recipient.status AS bounced_recipient_status",
    "bounced_recipient.diagnostic_code AS bounced_recipient_diagnostic_code",
]
_BOUNCE_UNNEST = f"CROSS JOIN unnest(raw.{_MAIL}bounce.bounced_recipients) AS recipients (bounced_recipient)"


@dataclass(frozen=True)
class NaiveView:
    event_type: str
    fields: dict[str, str]
    columns: list[str]
    unnest: str = ""
    #: The event's own fields, to drop duplicate deliveries in the agreement check (never in the timed queries).
    identity: tuple[str, ...] = ("event_timestamp", "arrival_timestamp", "endpoint_id", "message_id")


NAIVE_VIEWS: dict[str, NaiveView] = {
    "campaign_send": NaiveView(
        "_campaign.send",
        _COMMON_FIELDS,
        [*_COMMON_COLUMNS, "attributes AS message_tags"],
        identity=("event_timestamp", "arrival_timestamp", "endpoint_id", "pinpoint_campaign_id"),
    ),
    "email_send": NaiveView(
        "_email.send",
        {**_COMMON_FIELDS, **_MAIL_FIELDS, **_SUBJECT[0]},
        [*_COMMON_COLUMNS, *_MAIL_COLUMNS, *_SUBJECT[1], _EMAIL_TAGS],
    ),
    "email_open": NaiveView(
        "_email.open",
        {
            **_COMMON_FIELDS,
            **_MAIL_FIELDS,
            **_SUBJECT[0],
            _MAIL + "open.ip_address": "VARCHAR",
            _MAIL + "open.user_agent": "VARCHAR",
        },
        [
            *_COMMON_COLUMNS,
            *_MAIL_COLUMNS,
            *_SUBJECT[1],
            f"{_MAIL}open.ip_address AS ip_address",
            f"{_MAIL}open.user_agent AS user_agent",
            _EMAIL_TAGS,
        ],
    ),
    "email_click": NaiveView(
        "_email.click",
        {**_COMMON_FIELDS, **_MAIL_FIELDS, **_SUBJECT[0], **_CLICK_FIELDS},
        [*_COMMON_COLUMNS, *_MAIL_COLUMNS, *_SUBJECT[1], *_CLICK_COLUMNS, _EMAIL_TAGS],
        identity=("event_timestamp", "arrival_timestamp", "endpoint_id", "message_id", "link"),
    ),
    "email_hardbounce": NaiveView(
        "_email.hardbounce",
        {**_COMMON_FIELDS, **_MAIL_FIELDS, **_BOUNCE_FIELDS},
        [*_COMMON_COLUMNS, *_MAIL_COLUMNS, *_BOUNCE_COLUMNS, _EMAIL_TAGS],
        _BOUNCE_UNNEST,
        identity=(
            "event_timestamp",
            "arrival_timestamp",
            "endpoint_id",
            "message_id",
            "bounced_recipient_email_address",
        ),
    ),
    "email_softbounce": NaiveView(
        "_email.softbounce",
        {**_COMMON_FIELDS, **_MAIL_FIELDS, **_BOUNCE_FIELDS},
        [*_COMMON_COLUMNS, *_MAIL_COLUMNS, *_BOUNCE_COLUMNS, _EMAIL_TAGS],
        _BOUNCE_UNNEST,
        identity=(
            "event_timestamp",
            "arrival_timestamp",
            "endpoint_id",
            "message_id",
            "bounced_recipient_email_address",
        ),
    ),
    "email_unsubscribe": NaiveView(
        "_email.unsubscribe",
        {
            **_COMMON_FIELDS,
            **_MAIL_FIELDS,
            **_SUBJECT[0],
            **_CLICK_FIELDS,
            _MAIL + "click.link_tags.unsubscribeLinkTag": "VARCHAR[]",
        },
        [
            *_COMMON_COLUMNS,
            *_MAIL_COLUMNS,
            *_SUBJECT[1],
            *_CLICK_COLUMNS,
            f"{_MAIL}click.link_tags.unsubscribeLinkTag",
            _EMAIL_TAGS,
        ],
        identity=("event_timestamp", "arrival_timestamp", "endpoint_id", "message_id", "link"),
    ),
}


def _json_columns(fields: dict[str, str]) -> str:
    """read_json's `columns` for dotted JSON paths: nested paths become nested STRUCT types."""
    tree: dict[str, Any] = {}
    for path, kind in fields.items():
        *parents, leaf = path.split(".")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = kind

    def render(node: dict[str, Any] | str) -> str:
        if isinstance(node, str):
            return node
        return "STRUCT(" + ", ".join(f'"{key}" {render(value)}' for key, value in node.items()) + ")"

    return "{" + ", ".join(f"'{key}': '{render(value)}'" for key, value in tree.items()) + "}"


def naive_view_sql(name: str, view: NaiveView, lake: Path) -> str:
    """CREATE VIEW for one reference view, parsing the raw Pinpoint objects with read_json on every query."""
    glob = f"{lake}/raw/pinpoint/**/*.gz"
    ingest = r"strptime(regexp_extract(filename, '(\d{4}/\d{2}/\d{2}/\d{2})/[^/]*$', 1), '%Y/%m/%d/%H')"
    columns = ",\n    ".join([*view.columns, f"{ingest} AS ingest_timestamp"])
    return (
        f"CREATE OR REPLACE VIEW {name} AS\nSELECT\n    {columns}\n"
        f"FROM read_json('{glob}', format = 'newline_delimited', columns = {_json_columns(view.fields)}, "
        f"filename = true, ignore_errors = true) AS raw\n{view.unnest}\n"
        f"WHERE event_type = '{view.event_type}'"
    )


def naive_connection(lake: Path, *, deduplicated: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the naive views (deduplicated: one row per event, first arrival kept)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, view in NAIVE_VIEWS.items():
        if not deduplicated:
            con.execute(naive_view_sql(name, view, lake))
            continue
        con.execute(naive_view_sql(f"raw_{name}", view, lake))
        con.execute(
            f"CREATE VIEW {name} AS SELECT DISTINCT ON ({', '.join(view.identity)}) * FROM raw_{name} "
            f"ORDER BY {', '.join(view.identity)}, ingest_timestamp"
        )
    return con


def ours_connection(db_path: Path, *, pinpoint_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The built DuckDB file, read-only; pinpoint_only puts views of just the Pinpoint rows in front of it."""
    if not pinpoint_only:
        con = duckdb.connect(str(db_path), read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        return con
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"ATTACH '{db_path}' AS ours (READ_ONLY)")
    for name in NAIVE_VIEWS:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM ours.main.{name} WHERE producer = 'pinpoint'")
    return con


def verbatim_query(filename: str, variables: dict[str, str]) -> str:
    """A reference query as published, its `{{ englake.string_literal(var("name", "default")) }}` replaced by the
    value (or the default) as a SQL string literal."""

    def substitute(match: re.Match[str]) -> str:
        return "'" + variables.get(match["name"], match["default"]).replace("'", "''") + "'"

    pattern = (
        r"""\{\{\s*englake\.string_literal\(\s*var\(\s*["'](?P<name>\w+)["']\s*,\s*["'](?P<default>[^"']*)["']\s*\)"""
        r"""\s*\)\s*\}\}"""
    )
    return re.sub(pattern, substitute, (QUERY_DIR / filename).read_text())


@dataclass(frozen=True)
class QueryTiming:
    cold: float
    best: float
    rows: list[tuple[Any, ...]]


def time_query(con: duckdb.DuckDBPyConnection, sql: str, repeats: int = REPEATS) -> QueryTiming:
    """The first run (cold), then the best of `repeats` more (none: the cold run counts as the best)."""
    started = time.perf_counter()
    rows = con.execute(sql).fetchall()
    cold = time.perf_counter() - started
    best = cold if repeats == 0 else float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - started)
    return QueryTiming(cold, best, rows)


@dataclass(frozen=True)
class DbtTiming:
    seconds: float
    models: int
    tests: int
    #: (resource type, name, seconds) of the slowest nodes.
    slowest: list[tuple[str, str, float]]
    node_seconds: float  # dbt's own elapsed time (nodes only: no start-up or parsing)
    #: Summed node execution time per resource type (two threads: the sums exceed the elapsed time).
    by_kind: dict[str, float]


def _dbt_timing(seconds: float, results: list[dict[str, Any]], elapsed: float) -> DbtTiming:
    kinds = [r["unique_id"].split(".")[0] for r in results]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:5]
    by_kind: dict[str, float] = {}
    for kind, result in zip(kinds, results, strict=True):
        by_kind[kind] = by_kind.get(kind, 0.0) + result["execution_time"]
    return DbtTiming(
        seconds,
        kinds.count("model"),
        kinds.count("test") + kinds.count("unit_test"),
        [(r["unique_id"].split(".")[0], r["unique_id"].split(".")[2], r["execution_time"]) for r in slowest],
        elapsed,
        by_kind,
    )


def _results_of(result: Any) -> tuple[list[dict[str, Any]], float]:
    """Per-node results of an in-process dbt invocation, shaped like run_results.json."""
    nodes = [{"unique_id": r.node.unique_id, "execution_time": r.execution_time} for r in result.result.results]
    return nodes, float(getattr(result.result, "elapsed_time", 0.0) or 0.0)


def dbt_flags(workdir: Path) -> list[str]:
    """Quiet, with target and logs in the benchmark's own folder: other dbt runs in the checkout (tests, another
    session) then neither overwrite this run's run_results.json nor share its partial-parse state."""
    return ["--quiet", "--target-path", str(workdir / "dbt-target"), "--log-path", str(workdir / "dbt-logs")]


def full_build(settings: Settings, workdir: Path) -> DbtTiming:
    """`dbt build` (seeds, models, tests) on a fresh DuckDB file, through englake.models.build_models."""
    build = build_models(settings, extra_args=dbt_flags(workdir))
    if build.statuses.get("error") or build.statuses.get("fail"):
        raise SystemExit(f"dbt build failed: {build.statuses}")
    path = workdir / "dbt-target" / "run_results.json"
    shutil.copy(path, workdir / "run_results-build.json")  # the next invocations overwrite it (kept with --keep)
    run_results = json.loads(path.read_text())
    return _dbt_timing(build.seconds, run_results["results"], run_results["elapsed_time"])


def models_only(settings: Settings, workdir: Path) -> DbtTiming:
    """`dbt seed` (untimed), then `dbt run` timed: the models without their tests, on a fresh DuckDB file."""
    run_dbt(["seed", *dbt_flags(workdir)], settings)
    return dbt_run(settings, workdir)


def dbt_run(settings: Settings, workdir: Path, selection: Sequence[str] = ()) -> DbtTiming:
    """`dbt run` timed: every model (or `selection`), or on a built file the incremental run."""
    started = time.perf_counter()
    result = run_dbt(["run", *selection, *dbt_flags(workdir)], settings)
    return _dbt_timing(time.perf_counter() - started, *_results_of(result))


#: The documented hourly job's selection (dbt_project/selectors.yml): what a new Firehose hour changes.
HOURLY_SELECTOR = "hourly"
HOURLY = ("--selector", HOURLY_SELECTOR)
#: A selection that matches no node: the run is dbt's start-up, parsing check and artifacts, and nothing else.
NOTHING = ("--select", "englake_selects_nothing")


def dbt_import_seconds() -> float:
    """Seconds a fresh Python process takes to import dbt's runner: what a `dbt` or `englake models` command pays
    before any of the in-process timings here start (the benchmark runs dbt in its own process, imported once)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dbt.cli.main"], check=True)
    return time.perf_counter() - started


def command_seconds(command: Sequence[str], settings: Settings, workdir: Path) -> float:
    """The fastest of REPEATS runs of a command (`dbt` or `englake` from this environment) in a fresh process on
    `settings`' lake and file, after one untimed run: what a scheduled job pays, import and start-up included."""
    environment = {
        **os.environ,
        "ENGLAKE_LAKE_ROOT": settings.lake_root,
        "ENGLAKE_DUCKDB_PATH": str(settings.resolved_duckdb_path),
        DBT_WORK_DIR_VARIABLE: str(workdir / "commands"),
    }
    program = [str(Path(sys.executable).with_name(command[0])), *command[1:]]
    times = []
    for _ in range(REPEATS + 1):
        started = time.perf_counter()
        subprocess.run(program, env=environment, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times[1:])


def land_next_hour(lake: Path, config: GeneratorConfig, end: datetime) -> LandingReport:
    """One more hour of traffic, [end, end + 1 h) of arrivals, from a day-long lake of another seed at the same rate."""
    later = GeneratorConfig(
        seed=config.seed + 1, events=max(config.events // config.days, 1_000), days=1, end=end + timedelta(hours=1)
    )
    spread = itertools.cycle(Producer)  # lines no producer owns still arrive on some stream, as generate_lake does
    with FirehoseLander(LocalStore(lake), uuid_seed=later.seed) as lander:
        for record in SyntheticLake(later).records():
            if record.arrival >= end:
                lander.put(record.producer or next(spread), record.line, record.arrival)
    return lander.report


def _count(db_path: Path, relation: str) -> int:
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0


def incremental_hour(
    settings: Settings,
    workdir: Path,
    lake: Path,
    config: GeneratorConfig,
    end: datetime,
    selection: Sequence[str] = (),
) -> dict[str, Any]:
    """Land the hour from `end` on, then time an incremental `dbt run` (of `selection`) on the built file."""
    db_path = settings.resolved_duckdb_path
    before = _count(db_path, "fct_events"), _count(db_path, "stg_lake__records")
    landed = land_next_hour(lake, config, end)
    timing = dbt_run(settings, workdir, selection)
    after = _count(db_path, "fct_events"), _count(db_path, "stg_lake__records")
    return {
        "timing": timing,
        "records": landed.records,
        "objects": len(landed.objects),
        "events_added": after[0] - before[0],
        "records_added": after[1] - before[1],
    }


def raw_read_floor(lake: Path, workdir: Path) -> float:
    """Seconds DuckDB takes (two threads, as dbt runs) to read every raw line of the lake and nothing else: the
    floor of any model that reads the lake, and so of a full build. It reads through the lake sources' own
    read_csv, as dbt rendered them into its manifest (relation_name), all producers in one query."""
    sources = json.loads((workdir / "dbt-target" / "manifest.json").read_text())["sources"]
    reads = [
        sources[f"source.englake.lake.raw_{producer.value}"]["relation_name"]
        for producer in Producer
        if any(path.is_file() for path in (lake / "raw" / producer.value).rglob("*"))
    ]
    with duckdb.connect() as con:
        con.execute("SET threads = 2")
        started = time.perf_counter()
        con.execute(" UNION ALL ".join(f"SELECT sum(length(line)) FROM {read}" for read in reads)).fetchall()
        return time.perf_counter() - started


#: The two models that read and parse the raw lake, whose full-build SQL the parsing floor runs again.
PARSING_MODELS = ("stg_lake__records", "fct_events")


def keep_build_sql(workdir: Path) -> dict[str, str]:
    """The full build's compiled SQL of PARSING_MODELS (later, incremental runs overwrite dbt's compiled folder)."""
    compiled = workdir / "dbt-target" / "compiled" / "englake" / "models"
    return {name: next(compiled.rglob(f"{name}.sql")).read_text() for name in PARSING_MODELS}


def parsing_floor(db_path: Path, build_sql: dict[str, str]) -> tuple[float, float, float]:
    """The full build's reading and parsing with neither dbt nor disk: `stg_lake__records`' and `fct_events`' own
    SQL, run again in an in-memory DuckDB (two threads, the profile's settings) under the built file's name, with the
    staging views between them and every other table read from the built file. It is the work the one-pass design
    would still do: read every line, classify, parse each producer's fields, fan out, deduplicate. Returns wall
    seconds for the records and the events, and the CPU seconds of both."""
    with duckdb.connect() as con:
        for setting in (
            "threads = 2",
            "preserve_insertion_order = false",
            "TimeZone = 'UTC'",
            "enable_progress_bar = false",
        ):
            con.execute(f"SET {setting}")
        con.execute(f"ATTACH ':memory:' AS \"{db_path.stem}\"")
        con.execute(f"ATTACH '{db_path}' AS built (READ_ONLY)")
        con.execute(f'USE "{db_path.stem}"')
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'built'").fetchall()
        for (table,) in tables:
            if table not in PARSING_MODELS:
                con.execute(f'CREATE VIEW main."{table}" AS SELECT * FROM built.main."{table}"')
        views = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = 'built' AND NOT internal").fetchall()
        cpu, walls = 0.0, []
        for name in PARSING_MODELS:
            started, started_cpu = time.perf_counter(), time.process_time()
            con.execute(f"CREATE TABLE main.{name} AS {build_sql[name]}")
            walls.append(time.perf_counter() - started)
            cpu += time.process_time() - started_cpu
            views = _create_views(con, views)  # those reading what is there now (the events read the records)
        for name in PARSING_MODELS:  # the same work as the build's: the same rows
            again, built = (
                con.execute(f"SELECT count(*) FROM {db}.main.{name}").fetchone()
                for db in (f'"{db_path.stem}"', "built")
            )
            if again != built:
                raise SystemExit(f"parsing floor: {name} has {again} rows in memory, {built} in {db_path}")
        return walls[0], walls[1], cpu


def _create_views(con: duckdb.DuckDBPyConnection, views: list[tuple[str]]) -> list[tuple[str]]:
    """Create every view (its `CREATE VIEW` text) that binds, each after those it reads; return those that do not."""
    pending, made = views, True
    while pending and made:
        failed = []
        for view in pending:
            try:
                con.execute(view[0])
            except duckdb.CatalogException:
                failed.append(view)
        pending, made = failed, len(failed) < len(pending)
    return pending


def hourly_tables(settings: Settings, workdir: Path) -> list[str]:
    """The models of the hourly selection that are tables (incremental or whole), not views."""
    models = selected_models(HOURLY_SELECTOR, settings, extra_args=dbt_flags(workdir))
    return sorted(model["name"] for model in models if model["config"]["materialized"] != "view")


def empty_hourly_floors(built: Settings, workdir: Path) -> tuple[DbtTiming, DbtTiming]:
    """The hourly selection with dbt's `--empty` (every ref and source read as zero rows): dbt's own work per node
    (compiling, the materialization's statements, logging, artifacts) with no data; then its tables alone, as if the
    views were never re-created. On a copy of the built file, as `--empty` writes its zero-row reads into the views
    it creates. A floor is a least: each selection runs once untimed (the first re-parses the project for the other
    file), then REPEATS times, and the fastest counts. The incremental models' bound queries (the newest row of
    their own table, the messages a new hour touched) still read the stored tables."""
    copy = workdir / "empty-run.duckdb"
    shutil.copy(built.resolved_duckdb_path, copy)
    settings = Settings(lake_root=built.lake_root, duckdb_path=str(copy))
    tables = ("--select", *hourly_tables(settings, workdir))
    timings = []
    try:
        for selection in (HOURLY, tables):
            dbt_run(settings, workdir, (*selection, "--empty"))
            runs = [dbt_run(settings, workdir, (*selection, "--empty")) for _ in range(REPEATS)]
            timings.append(min(runs, key=lambda run: run.seconds))
    finally:
        copy.unlink()
    return timings[0], timings[1]


def busiest_recipient(db_path: Path) -> str:
    """The address with the most Pinpoint email_send rows in the last 30 days (both sides see them)."""
    with ours_connection(db_path) as con:
        row = con.execute(
            """
            SELECT address FROM email_send, unnest(destination) AS d (address)
            WHERE producer = 'pinpoint' AND ingest_timestamp > current_timestamp - INTERVAL 30 DAY
            GROUP BY address ORDER BY count(*) DESC, address LIMIT 1
            """
        ).fetchone()
    if row is None:
        raise SystemExit("no Pinpoint email_send rows in the last 30 days: nothing for query 2 to find")
    return str(row[0])


def compare(name: str, ours: list[tuple[Any, ...]], naive: list[tuple[Any, ...]]) -> tuple[bool, str]:
    """Whether two answers hold the same rows (order aside), and a one-line account."""
    if name.startswith("query 1"):
        by_ours, by_naive = {r[0]: r[1:] for r in ours}, {r[0]: r[1:] for r in naive}
        differ = sorted(k for k in by_ours.keys() | by_naive.keys() if by_ours.get(k) != by_naive.get(k))
        text = f"{len(by_ours)} vs {len(by_naive)} campaigns, {len(differ)} differ"
        if differ:
            key = differ[0]
            text += f" (e.g. {key}: {by_ours.get(key)} vs {by_naive.get(key)})"
        return not differ, text
    same = sorted(ours, key=repr) == sorted(naive, key=repr)
    return same, f"{len(ours)} vs {len(naive)} rows" + ("" if same else ", not the same rows")


class OtherLoad:
    """CPU seconds other processes used during each phase: the machine's busy time (/proc/stat) minus this
    process's own (dbt and DuckDB run in-process), so a timing taken on a busy machine shows as such."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @staticmethod
    def _busy() -> float:
        try:
            fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return float("nan")
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @contextmanager
    def watch(self, phase: str) -> Iterator[None]:
        machine_start, own_start = self._busy(), time.process_time()
        yield
        used = (self._busy() - machine_start) - (time.process_time() - own_start)
        self.seconds[phase] = max(used, 0.0)


def machine() -> str:
    return describe_machine("duckdb", "dbt-core", "dbt-duckdb")


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def _verdict(ok: bool) -> str:
    return "✓ met" if ok else "✗ missed"


def run(
    events: int,
    seed: int,
    workdir: Path,
    say: Any,
    *,
    days: int = DAYS,
    repeats: int = REPEATS,
    models_run: bool = True,
) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    lake = workdir / "lake"
    others = OtherLoad()
    end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    config = GeneratorConfig(seed=seed, events=events, days=days, end=end)

    say(f"generating {events:,} events over {days} days into {lake}")
    started = time.perf_counter()
    generated = generate_lake(config, LocalStore(lake))
    generate_s = time.perf_counter() - started
    totals = generated.landing.totals()
    stored = sum(t.stored_bytes for t in totals.values())
    raw = sum(t.raw_bytes for t in totals.values())
    pinpoint = totals[Producer.PINPOINT]

    built = Settings(lake_root=str(lake), duckdb_path=str(workdir / "build.duckdb"))
    say("dbt build (models + tests) on a fresh DuckDB file")
    with others.watch("build"):
        build_cpu = time.process_time()
        build = full_build(built, workdir)
        build_cpu = time.process_time() - build_cpu
    build_sql = keep_build_sql(workdir)
    run_only = None
    if models_run:
        say("dbt seed, then dbt run (models only) on another fresh DuckDB file")
        with others.watch("run"):
            run_only = models_only(Settings(lake_root=str(lake), duckdb_path=str(workdir / "run.duckdb")), workdir)
    hour = None
    if models_run:  # --quick times the hourly job's selection only
        say("landing one more hour, then an incremental dbt run of every model on the built file")
        with others.watch("incremental"):
            hour = incremental_hour(built, workdir, lake, config, end)
    say("landing the hour after, then the hourly job's selection (--selector hourly) on the built file")
    with others.watch("hourly"):
        hourly = incremental_hour(built, workdir, lake, config, end + timedelta(hours=1), HOURLY)
    floors: list[tuple[str, str, str, str]] = []
    if models_run:  # full size only: --quick shows the code works, not where the time goes
        say("floors: dbt start-up, dbt run with nothing new, DuckDB reading every raw line, then parsing it")
        with others.watch("floors"):
            import_s = dbt_import_seconds()
            start_up = dbt_run(built, workdir, NOTHING)
            idle_hourly = dbt_run(built, workdir, HOURLY)
            idle_run = dbt_run(built, workdir)
            read_floor = raw_read_floor(lake, workdir)
            empty_hourly, empty_tables = empty_hourly_floors(built, workdir)
            nothing_command = command_seconds(("englake", "models", "build", *NOTHING), built, workdir)
            hourly_command = command_seconds(("englake", "models", "build", *HOURLY), built, workdir)
            parse_records, parse_events, parse_cpu = parsing_floor(built.resolved_duckdb_path, build_sql)
        parse_s = parse_records + parse_events
        floors = [
            (
                "floor: importing dbt in a fresh process",
                f"{import_s:.1f} s",
                "",
                "paid once per command, before the in-process timings above",
            ),
            (
                "floor: dbt start-up (a run selecting nothing)",
                f"{start_up.seconds:.1f} s",
                "",
                "in process: checking the parse, the catalog, artifacts",
            ),
            (
                "floor: --selector hourly with nothing new",
                f"{idle_hourly.seconds:.1f} s ({idle_hourly.node_seconds:.1f} s in nodes, {idle_hourly.models} models)",
                "",
                "dbt's own cost per model (compiling, its queries, logging) on top of start-up",
            ),
            (
                "floor: dbt run with nothing new",
                f"{idle_run.seconds:.1f} s ({idle_run.node_seconds:.1f} s in nodes)",
                "",
                "start-up, the lookback's re-read and the marts rebuilt whole: what any run costs",
            ),
            (
                "floor: DuckDB reads every raw line",
                f"{read_floor:.1f} s ({len(generated.landing.objects):,} gzip objects)",
                "",
                "the least a full build can take (two threads, no parsing)",
            ),
            (
                "floor: the build's reading and parsing alone, in memory",
                f"{parse_s:.1f} s (records {parse_records:.1f} s, events {parse_events:.1f} s; "
                f"{parse_cpu:.0f} s of CPU: at least {parse_cpu / 2:.1f} s on two cores)",
                "",
                "the one-pass work, without dbt or disk: "
                f"{'at or above' if max(parse_s, parse_cpu / 2) >= AIM_BUILD_S else 'below'} "
                f"the {AIM_BUILD_S} s aim before any mart or test",
            ),
            (
                f"floor: `englake models build` selecting nothing, a fresh command, best of {REPEATS}",
                f"{nothing_command:.1f} s",
                "",
                f"what any dbt command costs here before its first model, against the {AIM_INCREMENTAL_S} s aim",
            ),
            (
                f"the hourly job as run: `englake models build --selector hourly` (models and tests), a fresh "
                f"command, nothing new, best of {REPEATS}",
                f"{hourly_command:.1f} s",
                "",
                f"aim <{AIM_INCREMENTAL_S} s {_verdict(hourly_command < AIM_INCREMENTAL_S)}",
            ),
            (
                f"floor: --selector hourly on no rows (dbt --empty), best of {REPEATS}",
                f"{empty_hourly.seconds:.1f} s ({empty_hourly.node_seconds:.1f} s in nodes, "
                f"{empty_hourly.models} models)",
                "",
                f"dbt's own work per model, no data; with the import {import_s + empty_hourly.seconds:.1f} s "
                f"against the {AIM_INCREMENTAL_S} s aim",
            ),
            (
                f"floor: the hourly selection's tables alone on no rows, best of {REPEATS}",
                f"{empty_tables.seconds:.1f} s ({empty_tables.node_seconds:.1f} s in nodes, "
                f"{empty_tables.models} models)",
                "",
                f"were no view re-created; with the import {import_s + empty_tables.seconds:.1f} s",
            ),
        ]

    db_path = built.resolved_duckdb_path
    address = busiest_recipient(db_path)
    sqls = {name: verbatim_query(filename, {"address": address}) for name, filename in QUERIES.items()}
    timings: dict[str, tuple[QueryTiming, QueryTiming]] = {}
    for name, sql in sqls.items():
        say(f"{name}: ours, then naive views")
        with ours_connection(db_path) as ours_con, others.watch(f"q{name.split()[1]} ours"):
            ours = time_query(ours_con, sql, repeats)
        with naive_connection(lake) as naive_con, others.watch(f"q{name.split()[1]} naive"):
            naive = time_query(naive_con, sql, repeats)
        timings[name] = (ours, naive)

    say("agreement on the rows both can see (ours: Pinpoint only; naive: duplicates removed)")
    agreement: dict[str, tuple[bool, str]] = {}
    with ours_connection(db_path, pinpoint_only=True) as ours_con, naive_connection(lake, deduplicated=True) as dedup:
        for name, sql in sqls.items():
            agreement[name] = compare(name, ours_con.execute(sql).fetchall(), dedup.execute(sql).fetchall())

    speedups = {name: naive.best / ours.best for name, (ours, naive) in timings.items()}
    rows: list[tuple[str, str, str, str]] = [
        (
            "data",
            f"{events:,} events → {generated.records:,} records, {days} days",
            f"reads raw/pinpoint/ only: {pinpoint.records:,} records",
            "",
        ),
        (
            "raw objects (gzip / uncompressed)",
            f"{len(generated.landing.objects):,} objects, {_mb(stored)} / {_mb(raw)}",
            f"{pinpoint.objects:,} objects, {_mb(pinpoint.stored_bytes)} / {_mb(pinpoint.raw_bytes)}",
            "",
        ),
        ("generation (not a target)", f"{generate_s:.1f} s", "", ""),
        (
            "dbt build: models + tests",
            f"{build.seconds:.1f} s ({build.models} models, {build.tests} tests)",
            "none: views only",
            f"target <{TARGET_BUILD_S} s {_verdict(build.seconds < TARGET_BUILD_S)}; "
            f"aim <{AIM_BUILD_S} s {_verdict(build.seconds < AIM_BUILD_S)}",
        ),
        (
            "dbt run: models only",
            f"{run_only.seconds:.1f} s ({run_only.models} models)" if run_only else "not run (--quick)",
            "",
            f"aim <{AIM_BUILD_S} s {_verdict(run_only.seconds < AIM_BUILD_S)}" if run_only else "",
        ),
        (
            "incremental hour: dbt run",
            f"{hour['timing'].seconds:.1f} s: +{hour['events_added']:,} events "
            f"({hour['records']:,} records, {hour['objects']} objects)"
            if hour
            else "not run (--quick)",
            "",
            f"aim <{AIM_INCREMENTAL_S} s {_verdict(hour['timing'].seconds < AIM_INCREMENTAL_S)}" if hour else "",
        ),
        (
            "incremental hour: dbt run --selector hourly",
            f"{hourly['timing'].seconds:.1f} s: +{hourly['events_added']:,} events "
            f"({hourly['records']:,} records, {hourly['objects']} objects, {hourly['timing'].models} models)",
            "",
            f"aim <{AIM_INCREMENTAL_S} s {_verdict(hourly['timing'].seconds < AIM_INCREMENTAL_S)}",
        ),
    ]
    rows += floors
    for name, (ours, naive) in timings.items():
        rows.append(
            (
                f"{name}, " + (f"best of {repeats}" if repeats else "run once"),
                f"{ours.best:.3f} s",
                f"{naive.best:.2f} s",
                f"{speedups[name]:,.0f}×",
            )
        )
        rows.append((f"{name}, cold", f"{ours.cold:.3f} s", f"{naive.cold:.2f} s", f"{naive.cold / ours.cold:,.0f}×"))
    for name, (ours, naive) in timings.items():
        same, text = compare(name, ours.rows, naive.rows)
        rows.append((f"{name}, answers as run", text, "", "same" if same else "differ: SES-native rows, duplicates"))
    for name, (same, text) in agreement.items():
        rows.append((f"{name}, Pinpoint only, deduplicated", text, "", "✓ agree" if same else "✗ disagree"))
    slowest_q = min(speedups.values())
    rows += [
        (f"target: queries ≥{TARGET_SPEEDUP}× faster", f"slowest {slowest_q:,.0f}×", "", _verdict(slowest_q >= 10)),
        (f"aim: queries ≥{AIM_SPEEDUP}× faster", f"slowest {slowest_q:,.0f}×", "", _verdict(slowest_q >= 100)),
    ]
    notes = [
        f"query 2 address: {address}",
        f"dbt build: {build_cpu:.0f} s of CPU (dbt and DuckDB's threads): at least {build_cpu / 2:.1f} s on two "
        "cores however the work is scheduled",
        f"dbt build: {build.node_seconds:.1f} s in nodes (summed: "
        + ", ".join(f"{kind}s {s:.1f} s" for kind, s in sorted(build.by_kind.items()))
        + "); slowest: "
        + ", ".join(f"{name} ({kind}) {s:.1f} s" for kind, name, s in build.slowest),
        f"dbt run: {run_only.node_seconds:.1f} s in nodes; slowest: "
        + ", ".join(f"{name} {s:.1f} s" for _, name, s in run_only.slowest)
        if run_only
        else "dbt run: not run (--quick)",
        f"incremental run: +{hour['records_added']:,} records, {hour['timing'].node_seconds:.1f} s "
        "in nodes; slowest: " + ", ".join(f"{name} {s:.1f} s" for _, name, s in hour["timing"].slowest)
        if hour
        else "incremental run of every model: not run (--quick)",
        f"hourly selection: +{hourly['records_added']:,} records, {hourly['timing'].node_seconds:.1f} s "
        "in nodes; slowest: " + ", ".join(f"{name} {s:.1f} s" for _, name, s in hourly["timing"].slowest),
        "CPU taken by other processes or the hypervisor meanwhile (0 on an idle machine): "
        + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in others.seconds.items()),
    ]
    return rows, notes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events over {QUICK_DAYS} days")
    parser.add_argument("--keep", action="store_true", help="keep the temporary lake and DuckDB files")
    args = parser.parse_args(argv)
    events = QUICK_EVENTS if args.quick else args.events
    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    load = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="englake-bench-models-"))

    def say(text: str) -> None:
        console.print(f"[dim]… {text}[/dim]")

    try:
        if args.quick:
            rows, notes = run(events, args.seed, workdir, say, days=QUICK_DAYS, repeats=QUICK_REPEATS, models_run=False)
        else:
            rows, notes = run(events, args.seed, workdir, say)
    finally:
        if args.keep:
            console.print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    table = Table(title="dbt models vs naive raw-JSON views (the reference's approach)", header_style="bold")
    for name in ("", "ours", "naive views", "ratio / verdict"):
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for note in notes:
        console.print(note)
    console.print(f"machine: {machine()}; load average before the run {load:.2f}")


if __name__ == "__main__":
    main()
