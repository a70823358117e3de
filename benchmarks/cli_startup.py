"""CLI start-up benchmark: how long ``englake --help`` and ``englake --version`` take, as a user runs them.

    python -m benchmarks.cli_startup            # 7 runs of each command, median and best
    python -m benchmarks.cli_startup --quick    # 3 runs

Issue 14 measured 6–11 s for ``englake --help`` because dbt was imported up front; the target is under 1 s. Each run
is a fresh process of the console script (interpreter start included). The table also lists the heaviest modules
``python -X importtime`` reports for importing the CLI, and whether dbt, DuckDB or boto3 were among them.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import machine as describe_machine

ENGLAKE = Path(sys.executable).parent / "englake"
COMMANDS = (["--help"], ["--version"], ["lake", "--help"], ["segments", "sync", "--help"])
HEAVY = ("dbt", "duckdb", "boto3", "botocore", "pyarrow", "pandas", "awswrangler", "sqlglot")


def time_command(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + system) of each run: on a busy machine the wall time waits for a core,
    the CPU time is what the command costs."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(ENGLAKE), *args], capture_output=True, check=True)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def import_profile() -> tuple[float, list[tuple[str, float]], list[str]]:
    """(seconds to import englake.cli, the top-level imports costing most, heavy packages imported)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import englake.cli"], capture_output=True, text=True, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((match.group(3), len(match.group(2)), int(match.group(1)) / 1e6))
    total = next(seconds for name, _, seconds in reversed(rows) if name == "englake.cli")
    # Direct imports of the CLI module (indented one level below it), the costliest first.
    top_level = sorted(((n, s) for n, depth, s in rows if depth == 3), key=lambda r: -r[1])[:8]
    heavy = sorted({name.split(".")[0] for name, _, _ in rows} & set(HEAVY))
    return total, top_level, heavy


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs per command instead of 7")
    options = parser.parse_args(argv)
    runs = 3 if options.quick else 7
    console = Console()

    table = Table(title=f"englake start-up ({runs} runs each, fresh process)")
    table.add_column("command")
    table.add_column("wall median", justify="right")
    table.add_column("wall best", justify="right")
    table.add_column("CPU median", justify="right")
    for args in COMMANDS:
        wall, cpu = time_command(args, runs)
        table.add_row(
            f"englake {' '.join(args)}",
            f"{statistics.median(wall):.2f} s",
            f"{min(wall):.2f} s",
            f"{statistics.median(cpu):.2f} s",
        )
    console.print(table)
    console.print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    total, top_level, heavy = import_profile()
    profile = Table(title=f"python -X importtime -c 'import englake.cli': {total:.2f} s")
    profile.add_column("module (cumulative)")
    profile.add_column("seconds", justify="right")
    for name, seconds in top_level:
        profile.add_row(name, f"{seconds:.3f}")
    console.print(profile)
    console.print(f"heavy packages imported by the CLI module: {', '.join(heavy) or 'none'}")
    console.print(f"machine: {describe_machine('typer', 'rich', 'pydantic-settings')}")


if __name__ == "__main__":
    main()
