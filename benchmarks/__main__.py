"""Run the benchmark modules that have a ``main(argv)``: ``python -m benchmarks [NAME ...] [--quick] [options]``.

Without names every module runs; ``python -m benchmarks generator --quick`` runs only ``benchmarks/generator.py``.
The other arguments go to each module that runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    chosen = [arg for arg in sys.argv[1:] if arg in modules]
    argv = [arg for arg in sys.argv[1:] if arg not in modules]
    for module in chosen or modules:
        entry = getattr(importlib.import_module(f"benchmarks.{module}"), "main", None)
        if callable(entry):
            print(f"== benchmarks.{module}", flush=True)
            entry(argv)


if __name__ == "__main__":
    main()
