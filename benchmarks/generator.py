"""Generator benchmark: synthetic events planned, rendered and landed as gzip Firehose objects, per phase.

    python -m benchmarks.generator            # 250,000 and 1,000,000 events
    python -m benchmarks.generator --quick    # 20,000 events
    python -m benchmarks.generator --events 100000 --dir /tmp --profile

Each size runs twice, each run in a process of its own so that its peak memory (``ru_maxrss``) is its own. The
lakes go into /dev/shm unless ``--dir`` says otherwise (``DEFAULT_DIR``): the generator's cost, not the disk's.

**One process** (the issue's one-core figure), by phase: **plan** (``SyntheticLake(config)``: every choice and the
truth), **render** (record bytes in arrival order, ``SyntheticLake.landed``, in a pass of its own that drops each
line), **land** (Firehose buffering, gzip, writing objects into a local lake: a second pass that renders and lands as
``englake lake generate`` does, streaming, less the render pass), **extras** (endpoint export, campaign catalog,
truth). Rendering is pure, so both passes make the same bytes; the total counts rendering once. Wall time and CPU
time (``time.process_time``) are both printed: CPU time is what the generator itself spends on a shared machine.

**Worker processes**: ``generate_lake`` as ``englake lake generate`` runs it, with its default workers (one per core,
at most one per Firehose stream): planning in the parent, then each worker renders and lands whole streams while the
parent writes the extras. CPU counts every process. The **floor** of that design on this machine: planning is one
seeded stream of draws, so it runs alone (its wall time, from the one-process run), and everything after it can at
best share the cores evenly (the one-process CPU of render + land + extras, over the cores): the events per second
above which no number of workers can go without a planner of another design. ``--profile`` prints the functions that
spend most of planning's and rendering's own time (cProfile, at the first size). "events" is
``GeneratorConfig.events`` (distinct valid events; duplicates and malformed lines come on top, the records column
counts every line).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from benchmarks import machine as describe_machine

if TYPE_CHECKING:  # the parent process that runs the sizes never imports the generator
    from ingest.generator import GeneratorConfig

#: The aim of issue 15: events per second landing gzip objects on one core.
AIM_EVENTS_PER_SECOND = 50_000
FULL_SIZES = (250_000, 1_000_000)
QUICK_SIZES = (20_000,)
END = datetime(2026, 11, 20)
#: Functions listed per profiled phase.
PROFILE_TOP = 12
#: Where the lakes go unless ``--dir`` says: memory when the machine has a RAM file system, so that the figures are
#: the generator's own and not the disk's (creating a file on this project's VMs costs 0.4 to 1.3 ms of kernel time
#: and varies threefold between runs; ``--dir /tmp`` measures with the disk).
DEFAULT_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _config(events: int) -> GeneratorConfig:
    from ingest.generator import GeneratorConfig

    return GeneratorConfig(seed=42, events=events, days=30, end=END)


def measure(events: int, folder: str | None = None) -> dict[str, float]:
    """Generate ``events`` in this one process into a temporary local lake, as ``englake lake generate --workers 1``
    does; seconds per phase."""
    from englake.storage import LocalStore
    from ingest.generator import SyntheticLake, land_extras, land_streams, synthetic_gzip
    from ingest.synthetic import planned_lake_frozen

    config = _config(events)
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="englake-bench-gen-", dir=folder) as root:
        store = LocalStore(root)
        w0, c0 = _clock()
        lake = SyntheticLake(config)
        w1, c1 = _clock()
        with planned_lake_frozen():  # as ``land_synthetic`` does around rendering, landing and extras
            # Dropping each line, as landing does once its object is written: keeping them all would time the
            # kernel handing out a gigabyte of fresh pages per million events, not rendering.
            for _ in lake.landed():
                pass
            w2, c2 = _clock()
            objects = land_streams(lake, store, uuid_seed=config.seed, compress=synthetic_gzip)
            w3, c3 = _clock()
            land_extras(lake, store, application_id=config.application_id, export_id="bench")
            w4, c4 = _clock()
        render_wall, render_cpu = w2 - w1, c2 - c1
        phases = {
            "records": float(sum(landed.records for landed in objects)),
            "objects": float(len(objects)),
            "stored_mb": sum(landed.stored_bytes for landed in objects) / 1e6,
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


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure_workers(events: int, folder: str | None = None) -> dict[str, float]:
    """``generate_lake`` with its default workers into a temporary local lake: wall and CPU seconds of every
    process, peak memory of this process and of the largest worker."""
    from englake.storage import LocalStore
    from ingest.generator import default_workers, generate_lake

    with tempfile.TemporaryDirectory(prefix="englake-bench-gen-", dir=folder) as root:
        store = LocalStore(root)
        workers = default_workers(store)
        wall, cpu = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)
        children = _cpu_seconds(resource.RUSAGE_CHILDREN)  # of children this process waited for before
        result = generate_lake(_config(events), store, workers=workers)
        wall = time.perf_counter() - wall
    return {
        "workers": float(workers),
        "records": float(result.records),
        "total_wall": wall,
        "parent_cpu": _cpu_seconds(resource.RUSAGE_SELF) - cpu,
        "workers_cpu": _cpu_seconds(resource.RUSAGE_CHILDREN) - children,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def floor(one: dict[str, float], cores: int) -> float:
    """Seconds below which the worker design cannot go on ``cores`` cores: planning alone (its wall time), then the
    rest of the one-process CPU shared evenly by the cores."""
    rest = one["render_cpu"] + one["land_cpu"] + one["extras_cpu"]
    return one["plan_wall"] + rest / cores


def profile(events: int, top: int = PROFILE_TOP) -> str:
    """The functions spending most of planning's and of rendering's own time (cProfile), as text."""
    from ingest.generator import SyntheticLake
    from ingest.synthetic import planned_lake_frozen

    out = io.StringIO()
    planning = cProfile.Profile()
    lake = planning.runcall(SyntheticLake, _config(events))
    rendering = cProfile.Profile()
    with planned_lake_frozen():
        rendering.runcall(lambda: sum(1 for _ in lake.landed()))
    for name, profiler in (("planning", planning), ("rendering", rendering)):
        out.write(f"-- {name} {events:,} events: the {top} functions of most own time (cProfile)\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(top)
    noise = ("Ordered by", "List reduced")
    lines = [line for line in out.getvalue().splitlines() if line.strip() and not line.strip().startswith(noise)]
    return "\n".join(line.replace(os.getcwd() + "/", "") for line in lines)


def _run_isolated(kind: str, events: int, folder: str | None) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.generator",
            f"--{kind}",
            str(events),
            *(["--dir", folder] if folder else []),
        ],
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


def workers_table(one: dict[int, dict[str, float]], many: dict[int, dict[str, float]], cores: int) -> str:
    rows = [
        "| events | workers | total s wall | events/s wall | CPU s parent + workers | peak RSS MiB parent / worker "
        f"| floor s on {cores} cores | events/s at the floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for events, r in many.items():
        least = floor(one[events], cores)
        rows.append(
            f"| {events:,} | {int(r['workers'])} | {r['total_wall']:.1f} | {events / r['total_wall']:,.0f} "
            f"| {r['parent_cpu']:.1f} + {r['workers_cpu']:.1f} | {r['peak_mb']:.0f} / {r['worker_peak_mb']:.0f} "
            f"| {least:.1f} | {events / least:,.0f} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZES[0]:,} events only")
    parser.add_argument("--events", type=int, action="append", help="a size to run (repeatable)")
    parser.add_argument(
        "--dir",
        default=DEFAULT_DIR,
        help=f"where the temporary lakes go (default: {DEFAULT_DIR}; /tmp adds the disk's cost)",
    )
    parser.add_argument("--profile", action="store_true", help="also profile planning and rendering at the first size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.dir)))
        return
    if args.workers:
        print(json.dumps(measure_workers(args.workers, args.dir)))
        return
    from ingest.generator import usable_cores

    sizes = tuple(args.events or (QUICK_SIZES if args.quick else FULL_SIZES))
    one = {events: _run_isolated("one", events, args.dir) for events in sizes}
    many = {events: _run_isolated("workers", events, args.dir) for events in sizes}
    cores = usable_cores()
    where = args.dir
    print(f"Generator, seed 42, 30 days, gzip objects into a local lake in {where}")
    print(f"machine: {describe_machine('orjson')}")
    print(f"aim: {AIM_EVENTS_PER_SECOND:,} events/s on one core (CPU time is the one-core figure on a shared machine)")
    print("one process:")
    print(table(one))
    print("worker processes (englake lake generate's default), and the floor of that design:")
    print(workers_table(one, many, cores))
    if args.profile:
        print(profile(sizes[0]))


if __name__ == "__main__":
    main()
