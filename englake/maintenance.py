"""Iceberg upkeep for the incremental tables on Athena: OPTIMIZE (bin-pack) and VACUUM, on a schedule.

Every incremental run MERGEs a few small files into each Iceberg table and leaves a snapshot behind; without upkeep
reads slow down file by file and storage grows with every expired snapshot. The tables are the dbt selector
``maintenance`` (dbt_project/selectors.yml), so a model that becomes incremental is maintained without a change
here. Statements: https://docs.aws.amazon.com/athena/latest/ug/optimize-statement.html and
https://docs.aws.amazon.com/athena/latest/ug/vacuum-statement.html
"""

from __future__ import annotations

from dataclasses import dataclass

from englake.dbt import selected_models
from englake.settings import DbtTarget, Settings, get_settings

#: dbt_project/selectors.yml
MAINTENANCE_SELECTOR = "maintenance"


@dataclass(frozen=True)
class MaintainedTable:
    relation: str
    statements: tuple[str, ...]
    query_ids: tuple[str, ...] = ()


def maintenance_models(settings: Settings, target: str | None = None) -> list[str]:
    """The names (aliases) of the models the ``maintenance`` selector picks."""
    return sorted(model["alias"] for model in selected_models(MAINTENANCE_SELECTOR, settings, target))


def iceberg_statements(schema: str, table: str) -> tuple[str, ...]:
    """OPTIMIZE then VACUUM for one Iceberg table (Athena engine version 3 syntax)."""
    relation = f'"{schema}"."{table}"'
    return (f"OPTIMIZE {relation} REWRITE DATA USING BIN_PACK", f"VACUUM {relation}")


def maintain(
    settings: Settings | None = None, target: str | None = None, *, dry_run: bool = False
) -> list[MaintainedTable]:
    """Run the upkeep on every table of the selector (Athena), or CHECKPOINT the DuckDB file (embedded default)."""
    settings = settings or get_settings()
    chosen = DbtTarget(target or settings.dbt_target)
    models = maintenance_models(settings, chosen.value)
    if chosen is DbtTarget.duckdb:
        # DuckDB has no table files to compact: a CHECKPOINT writes the WAL into the file and frees dropped blocks.
        statements = ("CHECKPOINT",)
        if not dry_run:
            import duckdb

            with duckdb.connect(str(settings.resolved_duckdb_path)) as connection:
                connection.execute(statements[0])
        return [MaintainedTable(f"main.{name}", statements) for name in models]
    from englake.athena import execute

    athena = settings.athena()
    done = []
    for name in models:
        statements = iceberg_statements(athena.schema, name)
        ids = () if dry_run else tuple(execute(athena, list(statements), f"maintaining {athena.schema}.{name}"))
        done.append(MaintainedTable(f"{athena.schema}.{name}", statements, ids))
    return done
