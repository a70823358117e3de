"""Growth benchmark: how the full build, the incremental hour, memory and the DuckDB file grow with the lake, and how
the segment diff grows with endpoints.

    python -m benchmarks.growth            # 250,000, 1,000,000 and 4,000,000 events; 1,000,000 and 10,000,000 endpoints
    python -m benchmarks.growth --quick    # the segment diff at 20,000 and 100,000 endpoints only
    python -m benchmarks.growth --quick --events 10000   # and one small lake (2 days): a dbt build and a run
    python -m benchmarks.growth --events 500000 --events 2000000 --endpoints 2000000   # sizes of your own
    python -m benchmarks.growth --lakes /tmp/lakes --results rows.jsonl   # keep lakes and rows; --table rows.jsonl

Events: a lake of at most ``PART_EVENTS`` events is one generated lake (GeneratorConfig, 30 days, ending this hour);
a larger one is several such lakes of different seeds landed side by side (the generator plans a whole lake in
memory, ~6 GiB per million events), so a 4M lake is four 1M-event applications' worth of traffic on one account.
For each size, in fresh processes: `dbt build` (models + tests, through englake.models.build_models) on a fresh
DuckDB file, then one more hour lands (models.land_next_hour, at the lake's rate) and an incremental `dbt run`.
Peak memory is the peak RSS (``ru_maxrss``) of the process that ran dbt: dbt and DuckDB run in-process, so it is the
whole dbt process tree.

Endpoints: segment_sync.generate's 20 segments with 5% of memberships changing; the diff alone
(validate_membership + compute_diff) timed once in a fresh process, its peak RSS sampled while it runs (the Arrow
inputs it is given included).

The slope is the time per event (or endpoint) at each size, and the exponent b of time ∝ size^b between consecutive
sizes: b ≈ 1 is linear, b < 1 is better (fixed costs such as dbt's start-up are spread), b > 1 is worse.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import machine as describe_machine

DAYS = 30
SEED = 7
#: The largest lake generated in one process; larger lakes are this many events per seed, landed side by side.
PART_EVENTS = 1_000_000
#: Seeds of a large lake's parts are SEED, SEED + PART_SEED_STEP, …: models.land_next_hour takes SEED + 1.
PART_SEED_STEP = 100
FULL_EVENTS = (250_000, 1_000_000, 4_000_000)
QUICK_EVENTS, QUICK_DAYS = (10_000,), 2
FULL_ENDPOINTS = (1_000_000, 10_000_000)
QUICK_ENDPOINTS = (20_000, 100_000)
SEGMENTS, CHANGE = 20, 0.05
#: An exponent up to this counts as linear (timings on a shared 2-core machine wobble by some percent).
LINEAR_TOLERANCE = 1.1


def parts(events: int, seed: int = SEED) -> list[tuple[int, int]]:
    """(seed, events) of the generated lakes that make a lake of ``events``: at most PART_EVENTS each, the first
    seeded ``seed``, so a smaller lake's parts begin a larger one's."""
    if events <= 0:
        raise ValueError(f"events must be positive, got {events}")
    count = math.ceil(events / PART_EVENTS)
    base, extra = divmod(events, count)
    return [(seed + i * PART_SEED_STEP, base + (1 if i < extra else 0)) for i in range(count)]


def exponents(sizes: Sequence[int], seconds: Sequence[float]) -> list[float]:
    """b in seconds ∝ size^b between each pair of consecutive sizes (sizes ascending, seconds positive)."""
    return [math.log(seconds[i + 1] / seconds[i]) / math.log(sizes[i + 1] / sizes[i]) for i in range(len(sizes) - 1)]


def verdict(exps: Sequence[float]) -> str:
    """Linear (or better) when no step grows faster than size^LINEAR_TOLERANCE."""
    if not exps:
        return "one size: no slope"
    worst = max(exps)
    if worst <= LINEAR_TOLERANCE:
        return f"linear or better (largest exponent {worst:.2f} ≤ {LINEAR_TOLERANCE})"
    return f"NOT linear (exponent {worst:.2f} > {LINEAR_TOLERANCE})"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def sampled_rss(period: float = 0.02) -> Iterator[dict[str, float]]:
    """Peak RSS (MiB) of this process while the block runs, sampled from /proc/self/statm (ru_maxrss would include
    what ran before the block)."""
    page = os.sysconf("SC_PAGE_SIZE")
    peak = {"mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        while True:
            with open("/proc/self/statm") as statm:
                peak["mb"] = max(peak["mb"], int(statm.read().split()[1]) * page / 2**20)
            if done.wait(period):
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


# -- children: each step in a fresh process, so its peak memory is its own ---------------------------------------
def _child_generate(lake: str, events: int, seed: int, end: str, days: int) -> dict[str, Any]:
    from englake.storage import LocalStore
    from ingest.generator import GeneratorConfig, generate_lake

    started = time.perf_counter()
    config = GeneratorConfig(seed=seed, events=events, days=days, end=datetime.fromisoformat(end))
    result = generate_lake(config, LocalStore(lake))
    return {
        "seconds": time.perf_counter() - started,
        "records": result.records,
        "objects": len(result.landing.objects),
        "stored": sum(o.stored_bytes for o in result.landing.objects),
        "peak_mb": _peak_rss_mb(),
    }


def _child_dbt(kind: str, lake: str, db: str, workdir: str) -> dict[str, Any]:
    from benchmarks.models import dbt_run, full_build
    from englake.settings import Settings

    settings = Settings(lake_root=lake, duckdb_path=db)
    timing = full_build(settings, Path(workdir)) if kind == "build" else dbt_run(settings, Path(workdir))
    return {
        "seconds": timing.seconds,
        "node_seconds": timing.node_seconds,
        "models": timing.models,
        "tests": timing.tests,
        "slowest": timing.slowest,
        "by_kind": timing.by_kind,
        "peak_mb": _peak_rss_mb(),
    }


def _child_diff(endpoints: int) -> dict[str, Any]:
    import duckdb

    from benchmarks.segment_sync import endpoint_ids_sql, generate
    from segmentation.diff import compute_diff
    from segmentation.membership import validate_membership

    started = time.perf_counter()
    with duckdb.connect() as con:
        generate(con, endpoints, SEGMENTS, CHANGE)
        day1 = con.sql("SELECT * FROM day1").to_arrow_table()
        known = con.sql(endpoint_ids_sql(endpoints)).to_arrow_table().column(0).combine_chunks()
        desired0 = con.sql(
            "SELECT endpoint_id, list_sort(list(segment_name)) AS segments FROM day0 GROUP BY 1"
        ).to_arrow_table()
    generate_s = time.perf_counter() - started
    with sampled_rss() as peak:
        started = time.perf_counter()
        diff = compute_diff(validate_membership(day1, "day1"), desired0, known, 50)
        diff_s = time.perf_counter() - started
    return {
        "generate_s": generate_s,
        "seconds": diff_s,
        "memberships": day1.num_rows,
        "changed": diff.changed,
        "diff_peak_mb": peak["mb"],
        "peak_mb": _peak_rss_mb(),
    }


def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.growth", "--child", json.dumps(args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# -- the two tables ------------------------------------------------------------------------------------------------
def grow_events(
    sizes: Sequence[int],
    workdir: Path,
    say: Any,
    days: int = DAYS,
    parts_dir: Path | None = None,
    end: datetime | None = None,
    generate_only: bool = False,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per size. Generated parts go to ``parts_dir`` (default: inside ``workdir``) and are reused from there
    when a part of the same seed, size, days and end is complete (its ``<part>.json`` is written last)."""
    from benchmarks.models import land_next_hour
    from ingest.generator import GeneratorConfig

    end = end or datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    parts_dir = parts_dir or workdir
    parts_dir.mkdir(parents=True, exist_ok=True)
    generated: dict[tuple[int, int], dict[str, Any]] = {}
    rows = []
    for events in sorted(sizes):
        lake = workdir / f"lake-{events}"
        for seed, part_events in parts(events):
            part = parts_dir / f"part-{seed}-{part_events}-{days}d-{end:%Y%m%dT%H}"
            marker = part.parent / f"{part.name}.json"
            if (seed, part_events) not in generated and marker.is_file():
                say(f"reusing {part}")
                generated[seed, part_events] = json.loads(marker.read_text())
            if (seed, part_events) not in generated:
                say(f"generating {part_events:,} events (seed {seed})")
                shutil.rmtree(part, ignore_errors=True)  # an incomplete earlier attempt
                generated[seed, part_events] = _child(["generate", str(part), part_events, seed, end.isoformat(), days])
                marker.write_text(json.dumps(generated[seed, part_events]))
            if not generate_only:
                shutil.copytree(part, lake, dirs_exist_ok=True)
        if generate_only:
            continue
        db, dbt_dir = workdir / f"build-{events}.duckdb", workdir / f"dbt-{events}"
        say(f"{events:,} events: dbt build on a fresh DuckDB file")
        build = _child(["dbt", "build", str(lake), str(db), str(dbt_dir)])
        db_mb = db.stat().st_size / 2**20
        say(f"{events:,} events: one more hour, then an incremental dbt run")
        landed = land_next_hour(lake, GeneratorConfig(seed=SEED, events=events, days=days, end=end), end)
        incremental = _child(["dbt", "run", str(lake), str(db), str(dbt_dir)])
        its = [generated[p] for p in parts(events)]
        rows.append(
            {
                "events": events,
                "records": sum(g["records"] for g in its),
                "lake_mb": _dir_mb(lake),
                "generate_s": sum(g["seconds"] for g in its),
                "build": build,
                "db_mb": db_mb,
                "hour_records": landed.records,
                "incremental": incremental,
            }
        )
        if on_row is not None:
            on_row(rows[-1])
        shutil.rmtree(lake, ignore_errors=True)
        db.unlink(missing_ok=True)
    return rows


def grow_endpoints(
    sizes: Sequence[int], say: Any, on_row: Callable[[dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for endpoints in sorted(sizes):
        say(f"segment diff: {endpoints:,} endpoints × {SEGMENTS} segments")
        rows.append({"endpoints": endpoints, **_child(["diff", endpoints])})
        if on_row is not None:
            on_row(rows[-1])
    return rows


def events_table(rows: list[dict[str, Any]]) -> list[str]:
    sizes = [r["events"] for r in rows]
    build_exp = exponents(sizes, [r["build"]["seconds"] for r in rows])
    incr_exp = exponents(sizes, [r["incremental"]["seconds"] for r in rows])
    lines = [
        "| events (records) | lake on disk | generation | `dbt build` (nodes) | µs per event | exponent | "
        "peak RSS build | DuckDB file | incremental hour `dbt run` (records) | peak RSS incremental |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(rows):
        build, incr = r["build"], r["incremental"]
        lines.append(
            f"| {r['events']:,} ({r['records']:,}) | {r['lake_mb']:,.0f} MiB | {r['generate_s']:.0f} s "
            f"| {build['seconds']:.1f} s ({build['node_seconds']:.1f} s) | {build['seconds'] / r['events'] * 1e6:.1f} "
            f"| {f'{build_exp[i - 1]:.2f}' if i else '–'} | {build['peak_mb']:,.0f} MiB | {r['db_mb']:,.0f} MiB "
            f"| {incr['seconds']:.1f} s (+{r['hour_records']:,}) | {incr['peak_mb']:,.0f} MiB |"
        )
    lines.append("")
    lines.append(f"full build: {verdict(build_exp)}; incremental hour: {verdict(incr_exp)}")
    for r in rows:
        build = r["build"]
        lines.append(
            f"{r['events']:,} events, dbt build: nodes summed "
            + ", ".join(f"{kind}s {s:.1f} s" for kind, s in sorted(build["by_kind"].items()))
            + "; slowest "
            + ", ".join(f"{name} ({kind}) {s:.1f} s" for kind, name, s in build["slowest"])
        )
    return lines


def endpoints_table(rows: list[dict[str, Any]]) -> list[str]:
    sizes = [r["endpoints"] for r in rows]
    exps = exponents(sizes, [r["seconds"] for r in rows])
    lines = [
        f"| endpoints × {SEGMENTS} segments | memberships | changed endpoints | diff | µs per endpoint | exponent "
        "| peak RSS during the diff | peak RSS of the process (with data generation) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(rows):
        lines.append(
            f"| {r['endpoints']:,} | {r['memberships']:,} | {r['changed']:,} | {r['seconds']:.1f} s "
            f"| {r['seconds'] / r['endpoints'] * 1e6:.2f} | {f'{exps[i - 1]:.2f}' if i else '–'} "
            f"| {r['diff_peak_mb']:,.0f} MiB | {r['peak_mb']:,.0f} MiB |"
        )
    lines.append("")
    lines.append(f"segment diff: {verdict(exps)}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: the code runs, the slope means little")
    parser.add_argument("--events", type=int, action="append", help="a lake size in events (repeatable)")
    parser.add_argument("--endpoints", type=int, action="append", help="a segment diff size (repeatable)")
    parser.add_argument("--only", choices=["events", "endpoints"], help="run one of the two tables")
    parser.add_argument(
        "--lakes", type=Path, help="keep the generated lakes in this folder and reuse them (generation is not timed)"
    )
    parser.add_argument("--end", type=datetime.fromisoformat, help="end of the lakes' window (default: this hour, UTC)")
    parser.add_argument("--generate-only", action="store_true", help="with --lakes: generate the lakes, nothing else")
    parser.add_argument(
        "--results", type=Path, help="append each row as JSON to this file as soon as it is measured (--table reads it)"
    )
    parser.add_argument("--table", type=Path, help="print the tables of a --results file, run nothing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.child:
        kind, *rest = json.loads(args.child)
        if kind == "generate":
            print(json.dumps(_child_generate(*rest)))
        elif kind == "dbt":
            print(json.dumps(_child_dbt(*rest)))
        else:
            print(json.dumps(_child_diff(*rest)))
        return
    if args.table:
        saved = [json.loads(line) for line in args.table.read_text().splitlines() if line.strip()]
        by_events = [r for r in saved if "events" in r]
        by_endpoints = [r for r in saved if "endpoints" in r]
        print("\n".join([*(events_table(by_events) if by_events else []), "", *endpoints_table(by_endpoints)]))
        return
    events = tuple(args.events or (QUICK_EVENTS if args.quick else FULL_EVENTS))
    days = QUICK_DAYS if args.quick else DAYS
    endpoints = tuple(args.endpoints or (QUICK_ENDPOINTS if args.quick else FULL_ENDPOINTS))
    load = os.getloadavg()

    def say(text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)

    def keep(row: dict[str, Any]) -> None:
        say(f"measured: {json.dumps(row)}")
        if args.results:
            with args.results.open("a") as results:
                results.write(json.dumps(row) + "\n")

    workdir = Path(tempfile.mkdtemp(prefix="englake-bench-growth-"))
    if args.generate_only:
        grow_events(events, workdir, say, days, args.lakes, args.end, generate_only=True)
        shutil.rmtree(workdir, ignore_errors=True)
        return
    out: list[str] = []
    try:
        if args.quick and not args.events and args.only != "events":
            out += [
                "Growth with the lake: not in --quick (a dbt build and a run per size; models --quick runs both)",
                "",
            ]
        elif args.only in (None, "events"):
            out += [f"Growth with the lake: {days} days of events, seed {SEED}; 2 dbt threads", ""]
            rows = grow_events(events, workdir, say, days, args.lakes, args.end, args.generate_only, keep)
            out += events_table(rows)
            out.append("")
        if args.only in (None, "endpoints"):
            out += [f"Growth of the segment diff ({CHANGE:.0%} of memberships changing)", ""]
            out += endpoints_table(grow_endpoints(endpoints, say, keep))
            out.append("")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(out))
    print(f"machine: {describe_machine('duckdb', 'dbt-core', 'dbt-duckdb')}")
    print(
        f"load average before the run (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; after: "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
