"""Sweep benchmark: the check `englake models build` runs before dbt, on a generated lake with 1 % broken objects.

    python -m benchmarks.sweep            # 1,000,000 events over 30 days
    python -m benchmarks.sweep --quick    # 20,000 events over 3 days; dbt builds only lake_quarantine and its parents

A lake is generated (GeneratorConfig, generate_lake), then one object in a hundred is broken in turn by each kind the
sweep handles (corrupt, cut, empty, misnamed, a non-UTF-8 line). Timed: the first sweep (every object read), the
daily sweep after it (the ledger says nothing is new, so nothing is read), and the sweep after one more hour lands.
The lines of the broken objects are counted back: in raw/ (salvaged) or quarantined, nothing else. Then
`englake models build` runs over the swept lake and every broken object must be named in ``lake_quarantine``.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import machine as describe_machine
from englake.models import build_models, query_local
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, SyntheticLake, generate_lake
from ingest.landing import FirehoseLander
from ingest.layout import Producer
from ingest.quarantine import STAGE_SWEEP, read_quarantine
from ingest.reader import lake_objects
from ingest.sweep import sweep_lake

DAYS = 30
#: --quick: a small lake over few days (a small lake's cost is its objects, one per producer per buffer interval), and
#: dbt builds only what lake_quarantine needs (the check here is that every broken object is named in it).
QUICK_EVENTS, QUICK_DAYS, QUICK_SELECT = 20_000, 3, "+lake_quarantine"
#: Share of objects broken, one kind after another.
BROKEN_SHARE = 0.01


def _break(store: LocalStore) -> dict[str, tuple[str, int]]:
    """Break one object in a hundred, kind after kind; key → (kind, lines the object held before)."""
    objects = lake_objects(store)
    kinds = itertools.cycle(["corrupt", "cut", "empty", "plain-named-gz", "utf8"])
    broken: dict[str, tuple[str, int]] = {}
    for stored in objects[:: round(1 / BROKEN_SHARE)]:
        data = store.get(stored.key)
        text = gzip.decompress(data)
        kind = next(kinds)
        if kind == "corrupt":
            data = data[:10] + bytes(b ^ 0x5A for b in data[10:])
        elif kind == "cut":
            data = data[: len(data) // 2]
        elif kind == "empty":
            data, text = b"", b""
        elif kind == "plain-named-gz":
            data = text
        else:
            text = text.replace(b"\n", b"\xff\n", 1)
            data = gzip.compress(text)
        store.put(stored.key, data)
        broken[stored.key] = kind, text.count(b"\n")
    return broken


def run(
    events: int, seed: int, workdir: Path, say: object, days: int = DAYS, select: str | None = None
) -> list[tuple[str, str]]:
    store = LocalStore(workdir / "lake")
    end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    config = GeneratorConfig(seed=seed, events=events, days=days, end=end)
    say(f"generating {events:,} events over {days} days")  # type: ignore[operator]
    generated = generate_lake(config, store)
    broken = _break(store)
    size = sum(s.size for s in lake_objects(store))

    started = time.perf_counter()
    first = sweep_lake(store)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    daily = sweep_lake(store)
    daily_s = time.perf_counter() - started

    later = GeneratorConfig(seed=seed + 1, events=max(events // days // 24, 100), days=1, end=end + timedelta(hours=1))
    with FirehoseLander(store, uuid_seed=later.seed) as lander:
        for record in SyntheticLake(later).records():
            if record.arrival >= end:
                lander.put(record.producer or Producer.PINPOINT, record.line, record.arrival)
    started = time.perf_counter()
    hour = sweep_lake(store)
    hour_s = time.perf_counter() - started

    started = time.perf_counter()
    # cautious: a test is built only when all it reads is selected (the accounting test also reads the event models).
    cautious = ["--indirect-selection", "cautious"] if select else None
    build = build_models(Settings(lake_root=str(store.path)), select=select, extra_args=cautious)
    build_s = time.perf_counter() - started
    in_models = {
        row["object_key"]
        for row in query_local(
            "select distinct object_key from lake_quarantine where found_by = 'python'",
            Settings(lake_root=str(store.path)),
        )
    }
    # A misnamed but readable object loses nothing: it is re-landed whole under a proper name (no quarantine entry).
    relanded_whole = {move.key for move in first.moves if move.quarantined == 0 and move.kept == move.lines}
    missing = [key for key in broken if key not in in_models and key not in relanded_whole]

    entries = [e for e in read_quarantine(store) if e.stage == STAGE_SWEEP]
    kept = sum(m.kept for m in first.moves)
    lines = sum(n for _, n in broken.values())
    by_line = sum(1 for e in entries if e.line is not None and e.key in broken)
    whole = sum(n for key, (kind, n) in broken.items() if kind in ("corrupt", "empty"))
    after_cut = lines - kept - by_line - whole
    accounted = "all accounted for" if first.moved == len(broken) else "NOT all moved"
    return [
        ("lake", f"{generated.records:,} records, {first.objects:,} objects, {size / 2**20:,.1f} MiB stored"),
        ("objects broken (1 %, five kinds)", f"{len(broken):,} holding {lines:,} lines"),
        (
            "first sweep (reads every object)",
            f"{first_s:.2f} s, {first.bytes_read / 2**20:,.1f} MiB read; {first.moved:,} moved, "
            f"{first.salvaged:,} salvaged",
        ),
        (
            "broken objects' lines",
            f"{kept:,} re-landed + {by_line:,} quarantined by line + {whole:,} in objects quarantined whole + "
            f"{after_cut:,} after a cut (in the kept original): {accounted}",
        ),
        (
            "daily sweep, nothing new",
            f"{daily_s:.3f} s, {daily.checked} objects read ({daily.already_checked:,} known)",
        ),
        ("sweep after one more hour", f"{hour_s:.3f} s, {hour.checked:,} objects read"),
        (
            "englake models build over it" + (f" (--select {select})" if select else ""),
            f"{build_s:.1f} s, "
            + ", ".join(f"{n} {status}" for status, n in sorted(build.statuses.items()))
            + " (no error, no failure)"
            if not build.statuses.get("error") and not build.statuses.get("fail")
            else f"{build_s:.1f} s, FAILED: {build.statuses}",
        ),
        (
            "broken objects accounted for",
            f"{len(in_models & set(broken)):,} named in lake_quarantine + "
            f"{len(relanded_whole & set(broken) - in_models):,} re-landed whole (nothing lost) = "
            f"{len(broken) - len(missing):,} of {len(broken):,}" + (f"; missing e.g. {missing[0]}" if missing else ""),
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events over {QUICK_DAYS} days")
    args = parser.parse_args(argv)
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    load = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="englake-bench-sweep-"))
    try:
        events, days, select = (QUICK_EVENTS, QUICK_DAYS, QUICK_SELECT) if args.quick else (args.events, DAYS, None)
        rows = run(events, args.seed, workdir, lambda t: console.print(f"[dim]… {t}"), days, select)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    table = Table(title="The sweep before dbt (ingest/sweep.py)", header_style="bold")
    table.add_column("")
    table.add_column("result")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"machine: {describe_machine()}; load average before the run {load:.2f}")


if __name__ == "__main__":
    main()
