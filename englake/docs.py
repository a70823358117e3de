"""The dbt docs site of the models: ``dbt docs generate --static`` into a folder the user names."""

from __future__ import annotations

import shutil
from pathlib import Path

from englake.dbt import run_dbt, target_dir
from englake.settings import Settings, get_settings

#: What `dbt docs generate` writes that the site needs: static_index.html stands alone (manifest and catalog
#: inlined, opens from disk); index.html reads the two JSON files beside it (serve the folder over HTTP).
SITE_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


def build_docs(out: Path, settings: Settings | None = None, target: str | None = None) -> list[Path]:
    """Generate the docs site (catalog from the built database) and copy it to ``out``; return the files written."""
    settings = settings or get_settings()
    run_dbt(["docs", "generate", "--static"], settings, target)
    out = out.expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SITE_FILES:
        shutil.copyfile(target_dir() / name, out / name)
        written.append(out / name)
    return written
