"""Print the entries of a hashed pip lock file (requirements/runtime.lock) for the named packages, unchanged.

The Lambda requirement files in this folder are written by this script (``make -f deploy/lambda/Makefile
requirements``), so every Lambda package installs exactly the version and the hashes the project is tested with.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)")


def normalize(name: str) -> str:
    """PEP 503 name normalization (``Typing_Extensions`` and ``typing-extensions`` are one package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """``name -> (version, hash options)`` for every pinned entry of ``lock``."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in lock.read_text().splitlines():
        if match := _ENTRY.match(line):
            current = []
            entries[normalize(match.group(1))] = (match.group(3), current)
        elif current is not None and line.strip().startswith("--hash="):
            current.append(line.strip().rstrip("\\").strip())
        elif not line.startswith(" "):
            current = None
    return entries


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        sys.stderr.write("usage: lock_subset.py LOCK NAME [NAME ...]\n")
        return 2
    entries = lock_entries(Path(argv[1]))
    missing = [name for name in argv[2:] if normalize(name) not in entries]
    if missing:
        sys.stderr.write(f"{argv[1]}: no pinned entry for {', '.join(missing)}\n")
        return 1
    out = ["# Written by deploy/lambda/lock_subset.py from requirements/runtime.lock; do not edit by hand."]
    for name in sorted({normalize(n) for n in argv[2:]}):
        version, hashes = entries[name]
        lines = [f"{name}=={version}", *(f"    {h}" for h in hashes)]
        out.append(" \\\n".join(lines))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
