"""Determinism, ordering, scale and configuration: the same seed gives the same bytes anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ingest.generator import GeneratorConfig, GroundTruth, RawRecord, SyntheticLake, generate
from tests.generator.contract import (
    CONFIG,
    END,
)

# --------------------------------------------------------------------------------------------------------------
# Determinism, ordering, scale


def test_same_seed_gives_byte_identical_records_endpoints_and_truth() -> None:
    config = GeneratorConfig(seed=11, events=3_000, end=END)
    a, b = generate(config), generate(config)
    assert [(r.producer, r.arrival, r.line) for r in a.records()] == [
        (r.producer, r.arrival, r.line) for r in b.records()
    ]
    assert list(a.endpoints()) == list(b.endpoints())
    assert a.truth.to_json() == b.truth.to_json()
    # rendering is lazy: iterating twice gives the same text
    assert [r.line for r in a.records()] == [r.line for r in a.records()]


def test_output_does_not_depend_on_the_process(tmp_path: Any) -> None:
    """Same bytes under different string-hash seeds (no set or hash order leaks into the output)."""
    script = (
        "import hashlib, sys\n"
        "from datetime import datetime\n"
        "from ingest.generator import GeneratorConfig, generate\n"
        "lake = generate(GeneratorConfig(seed=3, events=800, end=datetime(2026, 11, 20)))\n"
        "h = hashlib.sha256()\n"
        "for r in lake.records():\n"
        "    h.update(f'{r.producer}|{r.arrival}|{r.line}\\n'.encode())\n"
        "h.update(lake.truth.to_json().encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_different_seed_gives_different_records() -> None:
    a = [r.line for r in generate(GeneratorConfig(seed=1, events=1_000, end=END)).records()]
    b = [r.line for r in generate(GeneratorConfig(seed=2, events=1_000, end=END)).records()]
    assert a != b
    assert len(set(a) & set(b)) < len(a) // 100  # not a shuffle of the same lines


def test_records_sorted_by_arrival_and_single_lines(records: list[RawRecord]) -> None:
    arrivals = [r.arrival for r in records]
    assert arrivals == sorted(arrivals)
    assert all(r.arrival.tzinfo is None for r in records)
    assert all("\n" not in r.line and "\r" not in r.line and r.line for r in records)
    start, end = CONFIG.window()
    assert (start, end) == (END - timedelta(days=7), END)
    assert all(r.arrival < end for r in records)


def test_progress_and_size(lake: SyntheticLake, records: list[RawRecord]) -> None:
    calls: list[int] = []
    n = sum(1 for _ in lake.records(progress=calls.append))
    assert n == len(lake) == len(records) == lake.truth.records_written
    assert calls == sorted(calls)
    assert calls[-1] == n
    assert len(calls) >= 2
    # "events" is the scale knob: distinct valid events land near it
    assert 0.9 * CONFIG.events <= lake.truth.distinct_events <= 1.15 * CONFIG.events


def test_default_end_is_now_truncated_to_the_hour() -> None:
    start, end = GeneratorConfig(days=2).window()
    assert end.minute == end.second == end.microsecond == 0
    assert end.tzinfo is None
    assert end - start == timedelta(days=2)
    assert abs(datetime.now(UTC).replace(tzinfo=None) - end) < timedelta(hours=1, minutes=1)


def test_ground_truth_json_round_trip(lake: SyntheticLake) -> None:
    text = lake.truth.to_json()
    again = GroundTruth.from_json(text)
    assert again == lake.truth
    assert again.to_json() == text
    assert isinstance(next(iter(again.messages.values()))["sent_at"], datetime)
    assert isinstance(next(iter(again.messages)), tuple)


@pytest.mark.parametrize(
    ("field", "value"),
    [("events", -1), ("days", 0), ("duplicate_rate", 1.5), ("app_share", 0.9), ("application_id", "short")],
)
def test_nonsense_config_is_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        GeneratorConfig(**{field: value})


def test_encoded_lines_are_the_records_utf8_bytes_in_the_same_order() -> None:
    """Landing writes ``encoded()``, readers see ``records()``: the same lines, malformed and non-ASCII included."""
    lake = generate(GeneratorConfig(seed=5, events=2_000, end=END))
    encoded = list(lake.encoded())
    records = list(lake.records())
    assert [(p, a, d) for p, a, d in encoded] == [(r.producer, r.arrival, r.line.encode()) for r in records]
    assert all(isinstance(d, bytes) for _, _, d in encoded)
    assert any(any(ch > 127 for ch in d) for _, _, d in encoded)  # non-ASCII text is kept as UTF-8, not escaped
