"""Benchmarks: each module prints a table with the machine described; ``python -m benchmarks`` runs them all."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import time
from pathlib import Path


def machine(*distributions: str) -> str:
    """CPU model, cores, RAM, Python and the versions of ``distributions`` (e.g. "duckdb", "dbt-core")."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in distributions)
    return f"{cpu}, {os.cpu_count()} cores, {ram}; Python {platform.python_version()}" + (
        f", {versions}" if versions else ""
    )


def yardstick() -> float:
    """Seconds a fixed pure-Python loop takes here, best of three: the same work on every run, to tell a shared VM's
    fast spells from its slow ones (its speed varies up to twofold between hours). It follows CPU speed; memory-heavy
    work such as the generator and dbt varies by more."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(2_000_000))
        best = min(best, time.perf_counter() - started)
    return best
