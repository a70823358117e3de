"""Where the bundled dbt project is: the one lookup for everything that reads it (the dbt runner, the seed readers).

Light on purpose (no dbt import), so the Python reader can load the event-type seed without importing dbt. The
project ships inside the package (pyproject.toml's package-data); in the repository ``englake/dbt_project`` is a
symlink to the top-level ``dbt_project/``, so a source checkout, an editable install and a wheel agree.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from englake.errors import ConfigError


class DbtTarget(StrEnum):
    """The dbt targets of dbt_project/profiles.yml."""

    duckdb = "duckdb"
    athena = "athena"


_PROJECT = Path(__file__).resolve().parent / "dbt_project"
#: Names the folder dbt writes target/ and logs/ into, instead of the project folder (two runs from one checkout).
DBT_WORK_DIR_VARIABLE = "ENGLAKE_DBT_WORK_DIR"


@cache
def dbt_project_dir() -> Path:
    """The bundled dbt project (the folder holding dbt_project.yml), wherever englake is installed."""
    if not (_PROJECT / "dbt_project.yml").is_file():
        raise ConfigError(f"the dbt project is missing: no {_PROJECT / 'dbt_project.yml'} (a broken install?)")
    # Resolved, so dbt's paths and messages name the real folder, not the symlink.
    return _PROJECT.resolve()


def seed_path(name: str) -> Path:
    """A seed of the dbt project (``event_types`` → ``dbt_project/seeds/event_types.csv``); missing is a ConfigError."""
    path = dbt_project_dir() / "seeds" / f"{name}.csv"
    if not path.is_file():
        raise ConfigError(f"dbt seed {name!r} not found at {path}: is the englake dbt project installed?")
    return path
