"""Issue 14 item 4: ``--format table|csv|json`` on the listing and report commands, one implementation
(englake/output.py), and tables readable at 80 columns: off a terminal (a pipe, cron, CI) or ``COLUMNS=80``, every
printed line fits and no value is cut to ``…``; campaigns by name; rates that do not apply show —."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from englake import output
from englake.output import Column, OutputFormat, emit, print_table, table_of
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.synthetic.truth import GroundTruth

ENGLAKE = Path(sys.executable).parent / "englake"
WIDTH = 80


def _piped(*args: str, lake: Path | None = None, columns: int = WIDTH) -> subprocess.CompletedProcess[str]:
    """``englake <args>`` as cron or CI runs it: stdout a pipe, COLUMNS=80."""
    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("NO_COLOR", None)
    if lake is not None:
        env["ENGLAKE_LAKE_ROOT"] = str(lake)
    return subprocess.run([str(ENGLAKE), *args], capture_output=True, text=True, check=False, env=env)


def _fits(text: str, width: int = WIDTH) -> list[str]:
    """The lines longer than ``width`` (none is the answer)."""
    return [line for line in text.splitlines() if len(line) > width]


# -- the shared implementation -------------------------------------------------------------------------------------

LONG_ROWS = [
    {
        "campaign_id": f"{index:032x}",
        "name": f"raw/ses/2026/11/20/10/englake-ses-1-2026-11-20-10-00-0{index}-3f2a9c1e.gz",
        "sent": 12_345,
    }
    for index in range(3)
]
LONG_COLUMNS = (Column("campaign_id", "campaign id"), Column("name"), Column("sent", render=output.count, numeric=True))


def _render(table_rows: list[dict], columns: tuple[Column, ...], width: int, **kwargs: object) -> str:
    target = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    print_table(table_of(table_rows, columns, "Campaigns"), target=target, **kwargs)  # type: ignore[arg-type]
    return target.file.getvalue()  # type: ignore[attr-defined]


def test_cli_output_a_table_too_wide_for_80_columns_goes_vertical_and_cuts_nothing() -> None:
    text = _render(LONG_ROWS, LONG_COLUMNS, WIDTH)
    assert not _fits(text)
    assert "…" not in text
    for row in LONG_ROWS:  # the 32-character id is a key: whole on one line
        assert any(row["campaign_id"] in line for line in text.splitlines())
    assert "-[ 1 of 3 ]" in text


def test_cli_output_a_table_that_fits_stays_a_table_and_wide_prints_it_whole() -> None:
    narrow = [{"campaign_id": "c1", "name": "Fall sale", "sent": 10}]
    text = _render(narrow, LONG_COLUMNS, WIDTH)
    assert "-[ 1 of 1 ]" not in text
    assert "Fall sale" in text
    wide = _render(LONG_ROWS, LONG_COLUMNS, WIDTH, wide=True)
    assert "-[" not in wide
    assert "…" not in wide
    assert any(LONG_ROWS[0]["campaign_id"] in line and LONG_ROWS[0]["name"] in line for line in wide.splitlines())


def test_cli_output_csv_and_json_carry_every_key_raw(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"campaign_name": "Fall sale", "open_rate": None, "sent": 1234, "campaign_id": "abc"}]
    columns = (Column("campaign_name"), Column("open_rate", render=output.percent), Column("sent", render=output.count))
    emit(rows, columns, OutputFormat.CSV)
    parsed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert parsed == [{"campaign_name": "Fall sale", "open_rate": "", "sent": "1234", "campaign_id": "abc"}]
    emit(rows, columns, OutputFormat.JSON)
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == rows


def test_cli_output_one_format_type_for_every_command() -> None:
    """lake quarantine's own format enum is gone: every command imports the one in englake/output.py."""
    import ingest.cli

    assert not hasattr(ingest.cli, "OutputFormat") or ingest.cli.OutputFormat is OutputFormat
    root = Path(__file__).resolve().parents[1]
    for path in [*root.glob("*/cli.py"), *root.glob("*/*/cli.py")]:
        text = path.read_text()
        assert "class OutputFormat" not in text, path
        assert "csv.DictWriter" not in text, path


# -- the commands on a built lake ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lake(built_lake: tuple[Settings, GroundTruth, LocalStore]) -> tuple[Path, GroundTruth]:
    settings, truth, _ = built_lake
    return settings.local_lake_path, truth


@pytest.mark.dbt
def test_cli_models_summary_names_campaigns_and_sms_rates_are_not_applicable(lake: tuple[Path, GroundTruth]) -> None:
    root, truth = lake
    done = _piped("models", "summary", "--limit", "100", "--format", "json", lake=root)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows
    for row in rows:
        facts = truth.campaign_catalog.get(row["campaign_id"])
        assert facts is not None, row
        assert row["campaign_name"] == facts["name"]  # from the lake's campaign catalog (dim_campaigns)
        if row["channel"] == "sms":
            assert row["open_rate"] is None
            assert row["click_rate"] is None
    assert any(row["channel"] == "sms" for row in rows), "the generated lake has SMS campaigns"

    table = _piped("models", "summary", "--limit", "100", lake=root)
    assert table.returncode == 0, table.stderr
    assert not _fits(table.stdout)
    assert "…" not in table.stdout
    assert "\x1b[" not in table.stdout
    sms = [row for row in rows if row["channel"] == "sms"]
    assert "—" in table.stdout
    assert sms
    words = {word for row in rows for word in str(row["campaign_name"]).split()}
    printed = set(table.stdout.split())
    assert words <= printed  # every word of every name, whole (wrapped at spaces at most)


LISTINGS = [
    ["models", "summary"],
    ["sql", "select campaign_id, campaign_name, kind, name_source, application_id from dim_campaigns"],
    ["segments", "who", "--limit", "20"],
    ["lake", "quarantine", "--limit", "20"],
    ["lake", "inspect"],
    ["doctor"],
]


@pytest.mark.dbt
@pytest.mark.parametrize("args", LISTINGS, ids=lambda args: " ".join(args[:2]))
def test_cli_every_listing_fits_80_columns_in_a_pipe(lake: tuple[Path, GroundTruth], args: list[str]) -> None:
    root, _ = lake
    if args[0] == "segments":  # a local sync fills the endpoint store segments who lists
        assert _piped("segments", "sync", "--no-refresh", lake=root).returncode == 0
    done = _piped(*args, lake=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert not _fits(done.stdout), _fits(done.stdout)
    assert "…" not in done.stdout


@pytest.mark.dbt
@pytest.mark.parametrize("args", LISTINGS[:4], ids=lambda args: " ".join(args[:2]))
def test_cli_every_listing_prints_csv_and_json(lake: tuple[Path, GroundTruth], args: list[str]) -> None:
    root, _ = lake
    if args[0] == "segments":
        assert _piped("segments", "sync", "--no-refresh", lake=root).returncode == 0
    as_json = _piped(*args, "--format", "json", lake=root)
    assert as_json.returncode == 0, as_json.stderr
    objects = [json.loads(line) for line in as_json.stdout.splitlines()]
    as_csv = _piped(*args, "--format", "csv", lake=root)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(objects) > 0
    assert set(rows[0]) == set(objects[0])


# -- englake hooks filter (issue 14): no lake, the documented FILTER event ------------------------------------------


def test_cli_hooks_filter_prints_table_csv_and_json_through_the_one_output(tmp_path: Path) -> None:
    """Each endpoint of the documented event (event-formats.md: Pinpoint's campaign hook example) is one row; with no
    provider every endpoint gets the fallback (reason not_found). csv and json are the rows alone on stdout (the
    timing note goes to stderr); the table fits 80 columns in a pipe."""
    from tests.hooks_support import filter_event

    event = filter_event()
    (tmp_path / "event.json").write_text(json.dumps(event))
    fallback = {"LoyaltyProgrammeTierDescription": ["gold"], "PreferredStoreName": ["Leeds"], "NextOffer": ["X"]}
    args = ("hooks", "filter", str(tmp_path / "event.json"), "--provider", "none", "--fallback", json.dumps(fallback))

    as_json = _piped(*args, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    expected = {endpoint_id: ("not_found", ", ".join(sorted(fallback))) for endpoint_id in event["Endpoints"]}
    assert {row["endpoint_id"]: (row["outcome"], row["attributes_added"]) for row in rows} == expected
    assert "failures" in as_json.stderr

    as_csv = _piped(*args, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == rows

    table = _piped(*args)
    assert table.returncode == 0, table.stderr
    assert not _fits(table.stdout), _fits(table.stdout)
    assert table.stdout.count("not_found") == len(event["Endpoints"])
    assert "failures" in table.stdout
