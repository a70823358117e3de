"""The generator benchmark measures the lake ``englake lake generate`` lands, in one process and in workers, and its
floor is the design's: planning alone, then the rest shared by the cores."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import generator as bench
from englake.storage import LocalStore
from ingest.generator import SyntheticLake, default_workers

EVENTS = 2_000


@pytest.fixture(scope="module")
def records_written() -> int:
    """The ground truth's count of lines for the benchmark's config at ``EVENTS``."""
    return SyntheticLake(bench._config(EVENTS)).truth.records_written


def test_one_process_lands_every_record_and_times_each_phase(tmp_path: Path, records_written: int) -> None:
    one = bench.measure(EVENTS, str(tmp_path))
    assert one["records"] == records_written
    assert one["objects"] > 0
    assert one["stored_mb"] > 0
    for phase in ("plan", "render", "land", "extras"):
        assert one[f"{phase}_wall"] > 0
        assert one[f"{phase}_cpu"] > 0
    phases = one["plan_cpu"] + one["render_cpu"] + one["land_cpu"] + one["extras_cpu"]  # rendering counted once
    assert one["total_cpu"] == pytest.approx(phases, rel=1e-9)
    assert not list(tmp_path.iterdir())  # the temporary lake is gone


def test_worker_processes_land_every_record_with_the_default_workers(tmp_path: Path, records_written: int) -> None:
    many = bench.measure_workers(EVENTS, str(tmp_path))
    assert many["records"] == records_written
    assert many["workers"] == default_workers(LocalStore(tmp_path))
    assert many["total_wall"] > 0
    if many["workers"] > 1:
        assert many["workers_cpu"] > 0  # the workers' own CPU, not that of children before them
        assert many["worker_peak_mb"] > 0


def test_the_floor_is_planning_alone_then_the_rest_over_the_cores() -> None:
    one = {"plan_wall": 10.0, "plan_cpu": 9.5, "render_cpu": 4.0, "land_cpu": 5.0, "extras_cpu": 1.0}
    assert bench.floor(one, 1) == 20.0
    assert bench.floor(one, 2) == 15.0
    assert bench.floor(one, 4) == 12.5


def test_the_profile_names_planning_and_rendering_functions() -> None:
    text = bench.profile(EVENTS, top=5)
    planning, rendering = text.split("-- rendering")
    assert "-- planning 2,000 events" in planning
    assert "ingest/synthetic/planner.py" in planning  # the emission of each record, planning's busiest function
    assert "ingest/synthetic/records.py" in rendering or "ingest/synthetic/lake.py" in rendering


def test_the_printed_tables_have_both_runs_and_the_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], records_written: int
) -> None:
    bench.main(["--events", str(EVENTS), "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert "machine: " in out
    rows = [line for line in out.splitlines() if line.startswith("| 2,000 |")]
    assert len(rows) == 2
    assert rows[0].split("|")[2].strip() == f"{records_written:,}"  # one process: every record landed
    workers = int(rows[1].split("|")[2])
    assert workers == default_workers(LocalStore(tmp_path))
    assert "floor s on" in out
