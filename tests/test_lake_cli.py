"""``englake lake …`` end to end: land a folder, inspect it, list the quarantine, fail clearly on bad input."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from englake import console
from englake.cli import app, main
from englake.errors import EXIT_CODES, ConfigError, InputError, LakeError
from ingest.glue import TEXT_TABLES
from ingest.layout import Producer

EXAMPLES = Path(__file__).parent / "fixtures" / "aws_examples"
ENGLAKE = Path(sys.executable).parent / "englake"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Summary tables as a wide terminal shows them, so cells are not wrapped mid-word."""
    monkeypatch.setattr(console.console, "_width", 200)
    monkeypatch.setattr(console.err_console, "_width", 400)


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def run_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """Run the console-script entry point in process: exit code and stderr (one line, unwrapped)."""
    monkeypatch.setattr(sys, "argv", ["englake", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0), " ".join(capsys.readouterr().err.split())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(EXAMPLES, folder / "aws")
    (folder / "ours.ndjson.gz").write_bytes(
        gzip.compress(b'{"eventType":"TEXT_QUEUED","messageId":"q1","eventTimestamp":1700000000000}\n42\n')
    )
    return folder


@pytest.mark.parametrize(
    "command", [[], ["generate"], ["land"], ["inspect"], ["quarantine"], ["register-glue"]], ids=str
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run("lake", *command, "--help")
    assert "Usage: " in result.output


def test_land_a_folder_then_inspect_and_list_the_quarantine(inputs: Path, tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    landed = run("lake", "land", str(inputs), "--lake", lake, "--arrival-from-event", "--max-records", "5")
    assert "Landed 6 file(s)" in landed.output
    assert "unrecognized producer" in landed.output
    assert "not a JSON object: number" in landed.output

    counts = json.loads(run("lake", "inspect", "--lake", lake, "--json").stdout)
    assert counts["parsed"] == {"pinpoint": 8, "ses": 13, "sms": 2, "social": 0, "engagementdb": 0}
    assert counts["records"] == 23
    assert counts["quarantined"] == {}
    assert counts["reconciles"] is True
    assert counts["by_type"]["ses Rendering Failure"] == 1
    assert counts["by_type"]["pinpoint _email.open"] == 1
    assert counts["unknown_types"] == {}
    # 5 Pinpoint objects (the email examples share one), 10 SES, 2 SMS: the land summary said the same.
    assert counts["objects"] == 17

    tables = run("lake", "inspect", "--lake", lake).output
    assert "Events per producer and raw event type" in tables
    assert "TEXT_QUEUED" in tables

    listed = run("lake", "quarantine", "--lake", lake, "--json").stdout.splitlines()
    entries = [json.loads(line) for line in listed]
    assert sorted(e["reason"] for e in entries) == [
        "invalid JSON: Expecting ',' delimiter",
        "invalid JSON: Expecting ',' delimiter",
        "invalid JSON: Invalid control character at",
        "not a JSON object: number",
        "unrecognized producer",
    ]
    (number,) = [e for e in entries if e["reason"] == "not a JSON object: number"]
    assert (Path(number["source"]).name, number["line"], number["record"]) == ("ours.ndjson.gz", 2, "42")
    only = run("lake", "quarantine", "--lake", lake, "--json", "--reason", "unrecognized").stdout.splitlines()
    assert len(only) == 1


def test_inspect_writes_the_lakes_own_quarantine(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    target = lake / "raw" / "pinpoint" / "2026" / "01" / "02" / "03"
    target.mkdir(parents=True)
    name = "englake-pinpoint-1-2026-01-02-03-04-05-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz"
    (target / name).write_bytes(gzip.compress(b'{"event_type":"_email.send"}{"event_type":"_email.open"}\n{oops\n'))
    result = run("lake", "inspect", "--lake", str(lake), "--write-quarantine", "--json")
    counts = json.loads(result.stdout)
    assert (counts["records"], counts["parsed"]["pinpoint"], counts["run_together_lines"]) == (3, 2, 1)
    assert counts["quarantine_objects_written"] == 1
    (entry,) = [
        json.loads(line) for line in run("lake", "quarantine", "--lake", str(lake), "--json").stdout.splitlines()
    ]
    assert entry["found_by"] == "inspect"  # no models built: the reader's own quarantine is all there is
    assert (entry["source"], entry["line"], entry["offset"], entry["record"]) == (
        f"raw/pinpoint/2026/01/02/03/{name}",
        2,
        57,
        "{oops",
    )


def test_missing_input_file_exits_1_with_its_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, err = run_main(
        capsys, monkeypatch, "lake", "land", str(tmp_path / "nope.json"), "--lake", str(tmp_path / "l")
    )
    assert code == EXIT_CODES[InputError]
    assert err == f"error: input file {tmp_path / 'nope.json'} does not exist"
    assert not (tmp_path / "l").exists()  # nothing was landed


def test_unknown_lake_root_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = run_main(capsys, monkeypatch, "lake", "inspect", "--lake", "ftp://x")
    assert code == EXIT_CODES[LakeError]
    assert err == "error: unknown lake root 'ftp://x': use a local folder or s3://bucket/prefix"


def test_inspecting_a_lake_that_is_not_there_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, err = run_main(capsys, monkeypatch, "lake", "inspect", "--lake", str(tmp_path / "typo"))
    assert code == EXIT_CODES[LakeError]
    assert "does not exist" in err
    assert str(tmp_path / "typo") in err


def test_an_unreadable_input_file_exits_1_after_landing_the_rest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json.gz"
    good.write_text('{"event_type":"_email.send"}\n')
    bad.write_bytes(b"\x1f\x8b\x08 not gzip at all")
    lake = tmp_path / "lake"
    code, err = run_main(capsys, monkeypatch, "lake", "land", str(good), str(bad), "--lake", str(lake))
    assert code == EXIT_CODES[InputError]
    assert err.endswith(f"error: 1 input file(s) could not be read: {bad}: unreadable input: corrupt gzip")
    assert len(list((lake / "raw" / "pinpoint").rglob("*.gz"))) == 1


def test_an_unreadable_lake_object_is_counted_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "lake" / "raw" / "ses" / "2026" / "01" / "01" / "00"
    folder.mkdir(parents=True)
    (folder / "englake-ses-1-2026-01-01-00-00-00-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz").write_bytes(b"\x1f\x8bjunk")
    code, err = run_main(capsys, monkeypatch, "lake", "inspect", "--lake", str(tmp_path / "lake"), "--write-quarantine")
    assert code == EXIT_CODES[LakeError]
    assert "error: 1 object(s) in" in err
    assert "could not be read" in err
    assert len(list((tmp_path / "lake" / "quarantine").rglob("*.ndjson"))) == 1


def test_a_bad_arrival_time_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text("{}")
    result = runner.invoke(app, ["lake", "land", str(source), "--arrival", "last tuesday", "--lake", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not an ISO-8601 time" in result.output


def test_the_console_script_prints_one_clear_line(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(ENGLAKE), "lake", "land", str(tmp_path / "missing.ndjson")], capture_output=True, text=True, check=False
    )
    assert completed.returncode == EXIT_CODES[InputError]
    assert completed.stderr.strip().startswith("error: input file")
    assert "Traceback" not in completed.stderr


@mock_aws
def test_register_glue_from_the_cli() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="lake-bucket")
    first = run(
        "lake", "register-glue", "--bucket", "lake-bucket", "--database", "englake_raw", "--region", "us-east-1"
    )
    assert first.output.count("created") == 1 + len(Producer) + len(TEXT_TABLES)  # database, raw tables, text tables
    second = run(
        "lake", "register-glue", "--lake", "s3://lake-bucket", "--database", "englake_raw", "--region", "us-east-1"
    )
    assert second.output.count("unchanged") == 1 + len(Producer) + len(TEXT_TABLES)
    table = boto3.client("glue", region_name="us-east-1").get_table(DatabaseName="englake_raw", Name="raw_pinpoint")
    assert table["Table"]["StorageDescriptor"]["Location"] == "s3://lake-bucket/raw/pinpoint/"


def test_register_glue_refuses_a_local_lake(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = run_main(capsys, monkeypatch, "lake", "register-glue", "--lake", "lake", "--region", "us-east-1")
    assert code == EXIT_CODES[ConfigError]
    assert "Glue tables need an S3 lake root" in err


def test_generate_lands_a_synthetic_lake_that_reconciles_with_its_truth(tmp_path: Path) -> None:
    pytest.importorskip("ingest.generator")
    lake = tmp_path / "lake"
    end = datetime(2026, 11, 20, 12).isoformat()
    run("lake", "generate", "--lake", str(lake), "--events", "400", "--days", "1", "--seed", "7", "--end", end)
    truth = json.loads((lake / "synthetic" / "truth.json").read_text())
    counts = json.loads(run("lake", "inspect", "--lake", str(lake), "--json").stdout)
    assert counts["lines"] == counts["records"] == truth["records_written"]
    assert sum(counts["quarantined"].values()) == truth["malformed_records"] + truth["unclassifiable_records"]
    assert counts["reconciles"] is True
    assert set(counts["unknown_types"]) == {key.replace(":", " ", 1) for key in truth["unknown_event_types"]}
    (export,) = list((lake / "endpoints").rglob("part-00000.gz"))
    assert export.relative_to(lake).parts[:2] == ("endpoints", truth["application_id"])
    assert len(gzip.decompress(export.read_bytes()).decode().splitlines()) == len(truth["endpoints"])


def test_generate_makes_the_same_lake_with_any_number_of_workers(tmp_path: Path) -> None:
    files = {}
    for workers in ("1", "3"):
        lake = tmp_path / workers
        assert _generate(lake, "--seed", "5", "--workers", workers).exit_code == 0
        files[workers] = {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}
    assert files["1"] == files["3"]
    assert any(name.startswith("raw/ses/") for name in files["3"])
    refused = _generate(tmp_path / "none", "--workers", "0")
    assert refused.exit_code == 2
    assert "Invalid value for '--workers'" in " ".join(refused.output.split())


def _generate(lake: Path, *extra: str) -> Any:
    end = datetime(2026, 11, 20, 12).isoformat()
    return runner.invoke(
        app,
        ["lake", "generate", "--lake", str(lake), "--events", "200", "--days", "1", "--end", end, *extra],
        catch_exceptions=False,
    )


def test_generate_refuses_a_lake_that_already_has_raw_objects(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 9: a second generate appended silently (a 144 % open rate followed)."""
    lake = tmp_path / "lake"
    first = _generate(lake, "--seed", "1")
    assert first.exit_code == 0, first.output
    assert f"creating a new lake at {lake}" in first.output
    objects = sorted(p for p in (lake / "raw").rglob("*") if p.is_file())
    code, err = run_main(
        capsys, monkeypatch, "lake", "generate", "--lake", str(lake), "--events", "200", "--days", "1", "--seed", "2"
    )
    assert code == EXIT_CODES[LakeError]
    assert err == (
        f"error: lake {lake} already holds {len(objects):,} raw object(s): pass --replace to empty raw/ and the "
        "truth first, or --append to add to them"
    )
    assert sorted(p for p in (lake / "raw").rglob("*") if p.is_file()) == objects  # nothing written

    truth_1 = json.loads((lake / "synthetic" / "truth.json").read_text())
    replaced = _generate(lake, "--seed", "2", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "creating a new lake" not in replaced.output
    truth_2 = json.loads((lake / "synthetic" / "truth.json").read_text())
    counts = json.loads(run("lake", "inspect", "--lake", str(lake), "--json").stdout)
    assert counts["records"] == truth_2["records_written"] != truth_1["records_written"]

    appended = _generate(lake, "--seed", "3", "--append")
    assert appended.exit_code == 0, appended.output
    counts = json.loads(run("lake", "inspect", "--lake", str(lake), "--json").stdout)
    assert counts["records"] > truth_2["records_written"]


def test_land_says_it_creates_a_lake(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text('{"event_type":"_email.send"}\n')
    result = run("lake", "land", str(source), "--lake", str(tmp_path / "new"))
    assert f"creating a new lake at {tmp_path / 'new'}" in result.output
    again = run("lake", "land", str(source), "--lake", str(tmp_path / "new"))
    assert "creating a new lake" not in again.output


def test_listing_the_quarantine_of_a_lake_that_is_not_there_is_a_lake_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, err = run_main(capsys, monkeypatch, "lake", "quarantine", "--lake", str(tmp_path / "typo"))
    assert code == EXIT_CODES[LakeError]
    assert err == f"error: lake root {tmp_path / 'typo'} does not exist (pass --lake or set ENGLAKE_LAKE_ROOT)"
    assert not (tmp_path / "typo").exists()


DEEP = '{"event_type":"_email.send","x":' + "[" * 5000 + "]" * 5000 + "}"


def test_land_and_inspect_quarantine_deeply_nested_json(tmp_path: Path) -> None:
    """Issue 9: RecursionError in land (earlier files already landed, no report) and in inspect."""
    first, deep = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text('{"event_type":"_email.open"}\n')
    deep.write_text(f'{{"event_type":"_email.send"}}\n{DEEP}\n{{"event_type":"_email.click"}}\n')
    lake = tmp_path / "lake"
    landed = run("lake", "land", str(first), str(deep), "--lake", str(lake))
    assert "4 records in = 3 landed + 1 quarantined" in landed.output
    entries = [json.loads(x) for x in run("lake", "quarantine", "--lake", str(lake), "--json").stdout.splitlines()]
    assert [(Path(e["source"]).name, e["line"], e["reason"], e["found_by"]) for e in entries] == [
        ("b.json", 2, "JSON nested too deeply", "land")
    ]

    target = lake / "raw" / "pinpoint" / "2026" / "01" / "02" / "03"
    (target / "englake-pinpoint-1-2026-01-02-03-04-05-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz").parent.mkdir(
        parents=True, exist_ok=True
    )
    (target / "englake-pinpoint-1-2026-01-02-03-04-05-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz").write_bytes(
        gzip.compress(f"{DEEP}\n".encode())
    )
    counts = json.loads(run("lake", "inspect", "--lake", str(lake), "--json").stdout)
    assert counts["quarantined"] == {"JSON nested too deeply": 1}
    assert counts["records"] == 4
    assert counts["reconciles"] is True


def test_inspect_move_unreadable_sweeps_first_and_then_reads_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    folder = lake / "raw" / "ses" / "2026" / "01" / "01" / "00"
    folder.mkdir(parents=True)
    name = "englake-ses-1-2026-01-01-00-00-00-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz"
    (folder / name).write_bytes(b"\x1f\x8b\x08\x00" + b"junk" * 20)
    code, err = run_main(capsys, monkeypatch, "lake", "inspect", "--lake", str(lake))
    assert code == EXIT_CODES[LakeError]  # without the sweep: counted, and it fails
    assert "--move-unreadable" in err
    result = run("lake", "inspect", "--lake", str(lake), "--move-unreadable")
    assert "1 moved aside" in result.output
    assert "corrupt gzip" in result.output
    assert (lake / "moved-aside" / "raw" / "ses" / "2026" / "01" / "01" / "00" / name).exists()
    assert not (folder / name).exists()
    entries = [json.loads(x) for x in run("lake", "quarantine", "--lake", str(lake), "--json").stdout.splitlines()]
    assert [(e["source"], e["reason"], e["found_by"]) for e in entries] == [
        (f"raw/ses/2026/01/01/00/{name}", "unreadable object: corrupt gzip", "sweep")
    ]
    csv_rows = run("lake", "quarantine", "--lake", str(lake), "--format", "csv").stdout.splitlines()
    assert csv_rows[0] == "found_by,source,line,offset,reason,record,detail,detected_at"
    assert csv_rows[1].startswith(f"sweep,raw/ses/2026/01/01/00/{name},,,unreadable object: corrupt gzip,,")
    table = run("lake", "quarantine", "--lake", str(lake)).output
    assert "1 record(s)" in table
    assert "(whole object)" in table


def test_a_damaged_quarantine_object_lists_or_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 9: a quarantine object with invalid UTF-8 made `lake quarantine` print a traceback."""
    folder = tmp_path / "lake" / "quarantine" / "raw" / "ses"
    folder.mkdir(parents=True)
    entry = (
        b'{"source":"raw/ses/a.gz","key":"raw/ses/a.gz","line":1,"offset":0,"reason":"invalid JSON","record":"\xff"}'
    )
    (folder / "a.gz.ndjson").write_bytes(entry + b"\n")
    listed = [
        json.loads(x) for x in run("lake", "quarantine", "--lake", str(tmp_path / "lake"), "--json").stdout.splitlines()
    ]
    assert [(e["source"], e["record"]) for e in listed] == [("raw/ses/a.gz", "\ufffd")]
    (folder / "b.gz.ndjson").write_bytes(b"\xfe not an entry\n")
    code, err = run_main(capsys, monkeypatch, "lake", "quarantine", "--lake", str(tmp_path / "lake"))
    assert code == EXIT_CODES[LakeError]
    assert err.startswith("error: quarantine object ")
    assert err.endswith("b.gz.ndjson line 1 is not a quarantine entry")
