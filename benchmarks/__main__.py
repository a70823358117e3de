"""Run the benchmark modules that have a ``main(argv)``: ``python -m benchmarks [NAME ...] [--quick] [options]``.

Without names every module runs; ``python -m benchmarks generator --quick`` runs only ``benchmarks/generator.py``.
The other arguments go to each module that runs. Each module's wall time and the total are printed at the end
(``make bench ARGS="models --quick"`` passes its arguments here).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from benchmarks import machine, yardstick


def main() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    chosen = [arg for arg in sys.argv[1:] if arg in modules]
    argv = [arg for arg in sys.argv[1:] if arg not in modules]
    load = os.getloadavg()[0]
    speed = yardstick()
    seconds: dict[str, float] = {}
    failed: list[str] = []
    for module in chosen or modules:
        entry = getattr(importlib.import_module(f"benchmarks.{module}"), "main", None)
        if callable(entry):
            print(f"== benchmarks.{module}", flush=True)
            started = time.perf_counter()
            try:
                entry(argv)
            except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' results
                traceback.print_exc()
                failed.append(module)
            seconds[module] = time.perf_counter() - started
    print(f"== wall time per module ({' '.join(argv) or 'full size'}; load average before {load:.2f})")
    for module, spent in seconds.items():
        print(f"{module:>14}  {spent:7.1f} s" + ("  FAILED" if module in failed else ""))
    print(
        f"{'total':>14}  {sum(seconds.values()):7.1f} s; load average after "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(f"machine: {machine()}")
    print(f"yardstick (a fixed Python loop, best of 3): {speed:.3f} s before, {yardstick():.3f} s after")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
