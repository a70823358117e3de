"""`englake lake quarantine` lists what users see in lake_quarantine, plus what never reached the models."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from englake.cli import app
from ingest.quarantine import STAGE_SWEEP
from tests.faults.broken import BuiltLake


def test_the_listing_shows_the_models_quarantine_and_the_sweeps_entries(built_lake: BuiltLake) -> None:
    """Issue 10: after `make demo` the listing was empty while lake_quarantine held 7 records."""
    result = CliRunner().invoke(
        app, ["lake", "quarantine", "--lake", str(built_lake.root), "--format", "json", "--limit", "0"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    in_models = built_lake.query("select count(*) from stg_lake__records where quarantine_reason is not null")[0][0]
    assert in_models > 0  # the generator's malformed and unclassifiable records
    assert sum(r["found_by"] == "models" for r in rows) == in_models
    swept = {(r["source"], r["reason"]) for r in rows if r["found_by"] == STAGE_SWEEP}
    assert swept == {
        (built_lake.objects[kind].key, reason)
        for kind, reason in [
            ("corrupt_gzip", "unreadable object: corrupt gzip"),
            ("truncated_gzip", "unreadable object: truncated gzip"),
            ("zero_byte_gz", "unreadable object: empty gzip"),
            ("invalid_utf8", "invalid UTF-8"),
            ("deep_json", "JSON nested too deeply"),
            ("ctrl_a_line", "control character U+0001 in line (the text readers' field delimiter)"),
        ]
    }
    assert all(r["source"].startswith("raw/") for r in rows)  # relative to the lake root, as the models key them
    assert not any(r["found_by"] == "inspect" for r in rows)  # the models' own reading replaces the diagnostic one


def test_models_build_says_what_the_sweep_moved_aside(built_lake: BuiltLake) -> None:
    output = " ".join(built_lake.build_output.split())
    assert "Objects moved to moved-aside/" in output
    moved = len(built_lake.objects) - 1  # all but braces_in_string, which is readable text
    assert f"{moved} moved aside" in output
