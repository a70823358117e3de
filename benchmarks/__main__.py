"""Run every benchmark module that has a ``main(argv)``: ``python -m benchmarks [--quick]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    argv = sys.argv[1:]
    for module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])):
        if module.startswith("_"):
            continue
        entry = getattr(importlib.import_module(f"benchmarks.{module}"), "main", None)
        if callable(entry):
            print(f"== benchmarks.{module}", flush=True)
            entry(argv)


if __name__ == "__main__":
    main()
