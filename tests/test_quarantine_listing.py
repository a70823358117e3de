"""The one quarantine listing: models first, the lake's own entries for what never reached them, no double count."""

from __future__ import annotations

from pathlib import Path

import duckdb

from englake.storage import LocalStore
from ingest.quarantine import STAGE_INSPECT, STAGE_LAND, STAGE_SWEEP, QuarantineEntry, write_quarantine
from ingest.quarantine_listing import lake_relative, quarantine_listing


def _entry(source: str, stage: str, key: str | None) -> QuarantineEntry:
    return QuarantineEntry.make(
        source=source, key=key, line=1, offset=0, reason=f"{stage} reason", record="x", stage=stage
    )


def _lake(tmp_path: Path) -> LocalStore:
    store = LocalStore(tmp_path / "lake")
    write_quarantine(store, "quarantine/raw/ses/a.gz.ndjson", [_entry("raw/ses/a.gz", STAGE_INSPECT, "raw/ses/a.gz")])
    write_quarantine(store, "quarantine/raw/ses/b.gz.ndjson", [_entry("raw/ses/b.gz", STAGE_SWEEP, "raw/ses/b.gz")])
    write_quarantine(store, "quarantine/inputs/x/in.json.ndjson", [_entry("/home/me/in.json", STAGE_LAND, None)])
    return store


def test_without_models_every_entry_is_shown_with_a_note(tmp_path: Path) -> None:
    listing = quarantine_listing(_lake(tmp_path), tmp_path / "lake" / "englake.duckdb")
    assert sorted(r.found_by for r in listing.rows) == ["inspect", "land", "sweep"]
    assert "no models at" in listing.note


def test_with_models_their_rows_replace_the_readers_own(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    path = tmp_path / "lake" / "englake.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table lake_quarantine as select 'invalid JSON' as quarantine_reason, "
            f"'{tmp_path}/lake/raw/ses/a.gz' as object_path, '{{oops' as record"
        )
    listing = quarantine_listing(store, path)
    assert listing.note == ""
    assert sorted((r.found_by, r.source, r.reason) for r in listing.rows) == [
        ("land", "/home/me/in.json", "land reason"),
        ("models", "raw/ses/a.gz", "invalid JSON"),
        ("sweep", "raw/ses/b.gz", "sweep reason"),
    ]


def test_once_the_models_union_the_lakes_entries_they_are_the_whole_list(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    path = tmp_path / "lake" / "englake.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table lake_quarantine as select * from (values "
            "('invalid JSON', 'raw/ses/a.gz', 1, null), ('sweep reason', 'raw/ses/b.gz', 1, 'sweep')) "
            "as t(quarantine_reason, object_path, line, stage)"
        )
    listing = quarantine_listing(store, path)
    assert [(r.found_by, r.source, r.line) for r in listing.rows] == [
        ("models", "raw/ses/a.gz", 1),
        ("sweep", "raw/ses/b.gz", 1),
    ]


def test_the_dbt_core_union_columns_are_read_as_they_are_named(tmp_path: Path) -> None:
    """lake_quarantine as the models build it: object_key, line_number, found_by 'sql' or 'python'."""
    store = _lake(tmp_path)
    path = tmp_path / "lake" / "englake.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table lake_quarantine as select * from (values "
            "('invalid JSON', 'raw/ses/a.gz', null, 'sql'), ('sweep reason', 'raw/ses/b.gz', 1, 'python'), "
            "('land reason', '/home/me/in.json', 1, 'python')) "
            "as t(quarantine_reason, object_key, line_number, found_by)"
        )
    listing = quarantine_listing(store, path)
    assert sorted((r.found_by, r.source, r.line, r.reason) for r in listing.rows) == [
        ("land", "/home/me/in.json", 1, "land reason"),
        ("models", "raw/ses/a.gz", None, "invalid JSON"),
        ("sweep", "raw/ses/b.gz", 1, "sweep reason"),
    ]


def test_a_locked_or_broken_duckdb_file_falls_back_with_a_note(tmp_path: Path) -> None:
    store = _lake(tmp_path)
    path = tmp_path / "lake" / "englake.duckdb"
    path.write_bytes(b"not a database")
    listing = quarantine_listing(store, path)
    assert "cannot read lake_quarantine" in listing.note
    assert len(listing.rows) == 3


def test_paths_are_made_relative_to_the_lake_root() -> None:
    assert lake_relative("/srv/lake/raw/ses/2026/x.gz") == "raw/ses/2026/x.gz"
    assert lake_relative("s3://bucket/prefix/raw/sms/x.gz") == "raw/sms/x.gz"
    assert lake_relative("/data/raw/lake/raw/ses/x.gz") == "raw/ses/x.gz"  # the last raw/ wins
    assert lake_relative("raw/ses/x.gz") == "raw/ses/x.gz"
