"""The growth benchmark's arithmetic: how a large lake is split into generated parts, and the slope verdict."""

from __future__ import annotations

import math

import duckdb
import pytest

from benchmarks.growth import (
    LINEAR_TOLERANCE,
    PART_EVENTS,
    PART_SEED_STEP,
    endpoints_table,
    events_table,
    exponents,
    parts,
    verdict,
)
from benchmarks.segment_sync import endpoint_ids_sql, id_width


def test_a_lake_up_to_one_part_is_one_generated_lake_of_the_base_seed() -> None:
    assert parts(250_000, seed=7) == [(7, 250_000)]
    assert parts(PART_EVENTS, seed=7) == [(7, PART_EVENTS)]


def test_a_larger_lake_is_parts_of_distinct_seeds_that_add_up_and_begin_with_the_smaller_lake() -> None:
    four = parts(4 * PART_EVENTS, seed=7)
    assert four == [(7 + i * PART_SEED_STEP, PART_EVENTS) for i in range(4)]
    assert four[0] == parts(PART_EVENTS, seed=7)[0]  # the 1M lake's generation is reused by the 4M lake
    uneven = parts(2 * PART_EVENTS + 1, seed=7)
    assert sum(events for _, events in uneven) == 2 * PART_EVENTS + 1
    assert max(events for _, events in uneven) <= PART_EVENTS
    # models.land_next_hour lands the next hour with seed + 1: no part may use it.
    assert all(seed != 8 for seed, _ in parts(10 * PART_EVENTS, seed=7))


def test_parts_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        parts(0)


def test_exponent_of_linear_quadratic_and_constant_growth() -> None:
    sizes = [1_000, 4_000, 16_000]
    assert exponents(sizes, [1.0, 4.0, 16.0]) == pytest.approx([1.0, 1.0])
    assert exponents(sizes, [1.0, 16.0, 256.0]) == pytest.approx([2.0, 2.0])
    assert exponents(sizes, [3.0, 3.0, 3.0]) == pytest.approx([0.0, 0.0])
    # a fixed start-up cost plus linear work grows slower than linear
    assert all(b < 1 for b in exponents(sizes, [10 + n / 1_000 for n in sizes]))


def test_verdict_names_the_worst_step() -> None:
    assert verdict([0.4, 0.95]).startswith("linear or better")
    assert verdict([0.9, LINEAR_TOLERANCE + 0.2]).startswith("NOT linear")
    assert f"{math.log(8) / math.log(4):.2f}" in verdict(exponents([1, 4], [1.0, 8.0]))
    assert verdict([]) == "one size: no slope"


def test_endpoint_ids_stay_unique_past_ten_million() -> None:
    assert id_width(1_000_000) == 7  # ep-0999999: the 1M benchmark's ids unchanged
    assert id_width(10_000_000) == 7  # ep-9999999 is the largest
    assert id_width(10_000_001) == 8

    with duckdb.connect() as con:
        sql = f"SELECT count(DISTINCT id), min(length(id)), max(length(id)) FROM ({endpoint_ids_sql(12)})"
        assert con.execute(sql).fetchone() == (12, 10, 10)


def _build(seconds: float) -> dict:
    return {
        "seconds": seconds,
        "node_seconds": seconds - 5,
        "models": 67,
        "tests": 205,
        "peak_mb": 900.0,
        "slowest": [["model", "stg_lake__records", seconds / 3]],
        "by_kind": {"model": seconds / 2},
    }


def test_events_table_prints_time_per_event_and_the_exponent_between_sizes() -> None:
    rows = [
        {
            "events": n,
            "records": n,
            "lake_mb": n / 5_000,
            "generate_s": n / 14_000,
            "build": _build(t),
            "db_mb": n / 4_000,
            "hour_records": n // 720,
            "incremental": _build(5.0),
        }
        for n, t in ((250_000, 20.0), (1_000_000, 80.0))
    ]
    lines = events_table(rows)
    assert "| 250,000 (250,000) |" in lines[2]
    assert "| 80.0 | – |" in lines[2]  # 20 s / 250k events = 80 µs per event
    assert "| 80.0 | 1.00 |" in lines[3]  # 4× the events, 4× the time: b = 1
    assert any("full build: linear or better" in line for line in lines)
    assert any("incremental hour: linear or better (largest exponent 0.00" in line for line in lines)


def test_endpoints_table_flags_superlinear_growth() -> None:
    rows = [
        {"endpoints": n, "memberships": 3 * n, "changed": n // 7, "seconds": t, "diff_peak_mb": 100.0, "peak_mb": 200.0}
        for n, t in ((1_000_000, 2.0), (10_000_000, 60.0))
    ]
    lines = endpoints_table(rows)
    assert "| 1.48 |" in lines[3]  # log(30) / log(10)
    assert lines[-1].startswith("segment diff: NOT linear")
