"""Generator benchmark: synthetic events planned, rendered and landed as gzip Firehose objects, per phase.

    python -m benchmarks.generator            # 250,000 and 1,000,000 events
    python -m benchmarks.generator --quick    # 20,000 events
    python -m benchmarks.generator --events 100000

Each size runs in its own process (one core: no worker processes), so its peak memory (``ru_maxrss``) is its own.
Wall time and CPU time (``time.process_time``) are both printed: the machine is shared, CPU time is what the
generator itself spends. Phases: **plan** (``SyntheticLake(config)``: every choice and the truth), **render** (record
bytes in arrival order, ``SyntheticLake.encoded``, in a pass of its own that drops each line), **land** (Firehose
buffering, gzip, writing objects into a local lake: a second pass that renders and lands as ``englake lake generate``
does, streaming, less the render pass), **extras** (endpoint export, campaign catalog, truth). Rendering is pure, so
both passes make the same bytes; the total counts rendering once. "events" is ``GeneratorConfig.events`` (distinct
valid events; duplicates and malformed lines come on top, the records column counts every line).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime

from benchmarks import machine as describe_machine

#: The aim of issue 15: events per second landing gzip objects on one core.
AIM_EVENTS_PER_SECOND = 50_000
FULL_SIZES = (250_000, 1_000_000)
QUICK_SIZES = (20_000,)
END = datetime(2026, 11, 20)


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def measure(events: int, folder: str | None = None) -> dict[str, float]:
    """Generate ``events`` into a temporary local lake the way ``englake lake generate`` does; seconds per phase."""
    from englake.storage import LocalStore
    from ingest.generator import GeneratorConfig, SyntheticLake, land_extras, land_records, synthetic_gzip
    from ingest.landing import FirehoseLander
    from ingest.synthetic import planned_lake_frozen

    config = GeneratorConfig(seed=42, events=events, days=30, end=END)
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="englake-bench-gen-", dir=folder) as root:
        store = LocalStore(root)
        w0, c0 = _clock()
        lake = SyntheticLake(config)
        w1, c1 = _clock()
        with planned_lake_frozen():  # as ``land_synthetic`` does around rendering, landing and extras
            # Dropping each line, as landing does once its object is written: keeping them all would time the
            # kernel handing out a gigabyte of fresh pages per million events, not rendering.
            for _ in lake.encoded():
                pass
            w2, c2 = _clock()
            with FirehoseLander(store, uuid_seed=config.seed, compress=synthetic_gzip) as lander:
                records, _ = land_records(lake.encoded(), lander)
            w3, c3 = _clock()
            land_extras(lake, store, application_id=config.application_id, export_id="bench")
            w4, c4 = _clock()
        render_wall, render_cpu = w2 - w1, c2 - c1
        phases = {
            "records": float(records),
            "objects": float(len(lander.report.objects)),
            "stored_mb": sum(o.stored_bytes for o in lander.report.objects) / 1e6,
            "plan_wall": w1 - w0,
            "plan_cpu": c1 - c0,
            "render_wall": render_wall,
            "render_cpu": render_cpu,
            "land_wall": w3 - w2 - render_wall,
            "land_cpu": c3 - c2 - render_cpu,
            "extras_wall": w4 - w3,
            "extras_cpu": c4 - c3,
            "total_wall": w4 - w0 - render_wall,
            "total_cpu": c4 - c0 - render_cpu,
        }
    phases["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return phases


def _run_isolated(events: int, folder: str | None) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.generator", "--child", str(events), *(["--dir", folder] if folder else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(results: dict[int, dict[str, float]]) -> str:
    rows = [
        "| events | records | objects (MB gzip) | plan s wall / cpu | render s wall / cpu | land s wall / cpu "
        "| extras s wall / cpu | total s wall / cpu | events/s wall / cpu | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for events, r in results.items():
        rows.append(
            f"| {events:,} | {int(r['records']):,} | {int(r['objects']):,} ({r['stored_mb']:.0f}) | "
            + " | ".join(f"{r[p + '_wall']:.1f} / {r[p + '_cpu']:.1f}" for p in ("plan", "render", "land", "extras"))
            + f" | {r['total_wall']:.1f} / {r['total_cpu']:.1f}"
            + f" | {events / r['total_wall']:,.0f} / {events / r['total_cpu']:,.0f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZES[0]:,} events only")
    parser.add_argument("--events", type=int, action="append", help="a size to run (repeatable)")
    parser.add_argument(
        "--dir",
        help="where the temporary lake goes (default: the system temp dir; /dev/shm shows the cost without the disk)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.dir)))
        return
    sizes = tuple(args.events or (QUICK_SIZES if args.quick else FULL_SIZES))
    results = {events: _run_isolated(events, args.dir) for events in sizes}
    where = args.dir or tempfile.gettempdir()
    print(f"Generator, seed 42, 30 days, gzip objects into a local lake in {where}, one process")
    print(f"machine: {describe_machine('orjson')}")
    print(f"aim: {AIM_EVENTS_PER_SECOND:,} events/s on one core (CPU time is the one-core figure on a shared machine)")
    print(table(results))


if __name__ == "__main__":
    main()
