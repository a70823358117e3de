"""Where the bundled dbt project is: the one lookup for everything that reads it (the dbt runner, the seed readers).

Light on purpose (no dbt import), so the Python reader can load the event-type seed without dbt installed.
"""

from __future__ import annotations

from pathlib import Path

from englake.errors import ConfigError

#: Folder name of the dbt project, next to the ``englake`` package in the repository (and in the wheel).
PROJECT_DIR_NAME = "dbt_project"


def dbt_project_dir() -> Path:
    """The dbt project shipped with englake."""
    return Path(__file__).resolve().parent.parent / PROJECT_DIR_NAME


def seed_path(name: str) -> Path:
    """A seed of the dbt project (``event_types`` → ``dbt_project/seeds/event_types.csv``); missing is a ConfigError."""
    path = dbt_project_dir() / "seeds" / f"{name}.csv"
    if not path.is_file():
        raise ConfigError(f"dbt seed {name!r} not found at {path}: is the englake dbt project installed?")
    return path
