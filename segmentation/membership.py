"""Segment membership: one row per (endpoint id, segment name), read from DuckDB locally or from the dbt schema on
Athena in production.

The membership relation is the union of the segment models (dbt_project/models/segments/, tagged ``segment``). Its
key is the pair; a null endpoint id or segment name, or the same pair twice, fails the run (never guessed at),
because a sync driven by a broken model would write the wrong segments to every endpoint it touches.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from englake.athena import query_arrow, results_arrow
from englake.database import connect
from englake.settings import AthenaSettings, Settings
from segmentation.errors import MembershipError

#: The membership relation's columns, in order.
MEMBERSHIP_SCHEMA = pa.schema([("endpoint_id", pa.string()), ("segment_name", pa.string())])
#: The dbt model unioning every segment model.
DEFAULT_RELATION = "segment_membership"
_RELATION_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}$")
_EXAMPLES = 5


class MembershipSource(Protocol):
    """Where the (endpoint id, segment name) rows come from."""

    def describe(self) -> str: ...

    def read(self) -> pa.Table: ...


def validate_membership(table: pa.Table, source: str) -> pa.Table:
    """Cast to MEMBERSHIP_SCHEMA and fail on null or duplicate keys, naming examples; returns the cast table."""
    missing = [name for name in MEMBERSHIP_SCHEMA.names if name not in table.column_names]
    if missing:
        raise MembershipError(f"{source}: membership has no column {', '.join(missing)} (has {table.column_names})")
    table = table.select(MEMBERSHIP_SCHEMA.names).cast(MEMBERSHIP_SCHEMA)
    with duckdb.connect() as con:
        con.register("m", table)
        nulls = con.execute(
            "SELECT count(*) FILTER (endpoint_id IS NULL OR trim(endpoint_id) = ''), "
            "count(*) FILTER (segment_name IS NULL), "
            "list(segment_name) FILTER (endpoint_id IS NULL OR trim(endpoint_id) = '')[:5], "
            "list(endpoint_id) FILTER (segment_name IS NULL)[:5] FROM m"
        ).fetchone()
        assert nulls is not None
        if nulls[0]:
            raise MembershipError(
                f"{source}: {nulls[0]} membership rows have a null or blank endpoint_id "
                f"(in segments {sorted(set(nulls[2]))}); fix the segment model"
            )
        if nulls[1]:
            raise MembershipError(
                f"{source}: {nulls[1]} membership rows have a null segment_name (endpoints {nulls[3]}); "
                "fix the segment model's config"
            )
        duplicates = con.execute(
            "SELECT endpoint_id, segment_name, count(*) AS n FROM m GROUP BY ALL HAVING n > 1 "
            f"ORDER BY n DESC, endpoint_id LIMIT {_EXAMPLES}"
        ).fetchall()
        if duplicates:
            total = con.execute(
                "SELECT count(*) FROM (SELECT 1 FROM m GROUP BY endpoint_id, segment_name HAVING count(*) > 1)"
            ).fetchone()
            shown = ", ".join(f"({e!r}, {s!r}) ×{n}" for e, s, n in duplicates)
            raise MembershipError(
                f"{source}: {total[0] if total else '?'} (endpoint_id, segment_name) pairs appear more than once, "
                f"e.g. {shown}; a segment model must return each endpoint once (add DISTINCT)"
            )
    return table


class ArrowMembership:
    """Membership already in memory (tests, benchmarks, callers that computed it themselves)."""

    def __init__(self, table: pa.Table | list[tuple[str, str]], name: str = "in-memory membership") -> None:
        if isinstance(table, list):
            table = pa.table(
                {"endpoint_id": [e for e, _ in table], "segment_name": [s for _, s in table]}, schema=MEMBERSHIP_SCHEMA
            )
        self.table = table
        self.name = name

    def describe(self) -> str:
        return self.name

    def read(self) -> pa.Table:
        return validate_membership(self.table, self.name)


class DuckDBMembership:
    """The membership relation in the embedded DuckDB file, opened read-only and closed at once (single-writer lock)."""

    def __init__(self, path: str | Path, relation: str = DEFAULT_RELATION) -> None:
        if not _RELATION_NAME.match(relation):
            raise MembershipError(f"relation name {relation!r} is not [catalog.][schema.]name")
        self.path = Path(path)
        self.relation = relation

    def describe(self) -> str:
        return f"duckdb {self.path} :: {self.relation}"

    def read(self) -> pa.Table:
        if not self.path.exists():
            raise MembershipError(f"{self.describe()}: no DuckDB file; build the models first (englake demo)")
        with connect(self.path, read_only=True) as con:
            try:
                table = con.sql(f"SELECT endpoint_id, segment_name FROM {self.relation}").to_arrow_table()
            except duckdb.CatalogException as error:
                raise MembershipError(
                    f"{self.describe()}: relation not found ({error}); build the segment models with "
                    "`dbt build --select tag:segment+`"
                ) from error
            except duckdb.BinderException as error:
                raise MembershipError(
                    f"{self.describe()}: needs columns endpoint_id, segment_name ({error})"
                ) from error
        return validate_membership(table, self.describe())


class AthenaMembership:
    """The membership relation in the dbt schema on Athena, read as Arrow through pyathena's ArrowCursor (the CSV
    result file is read straight into Arrow, no pandas in between).

    Either reads the results of a query that already ran (``query_execution_id``, as the Step Functions state
    machine hands over after its ``athena:startQueryExecution.sync`` step) or runs ``SELECT … FROM schema.relation``.
    """

    def __init__(
        self,
        athena: AthenaSettings,
        relation: str = DEFAULT_RELATION,
        *,
        query_execution_id: str | None = None,
    ) -> None:
        if not _RELATION_NAME.match(relation):
            raise MembershipError(f"relation name {relation!r} is not [catalog.][schema.]name")
        self.athena = athena
        # A bare model name lives in the dbt schema (never the raw Glue database).
        self.relation = relation if "." in relation else f"{athena.schema}.{relation}"
        self.query_execution_id = query_execution_id

    @property
    def sql(self) -> str:
        quoted = ".".join(f'"{part}"' for part in self.relation.split("."))
        return f"SELECT endpoint_id, segment_name FROM {quoted}"

    def describe(self) -> str:
        where = f"query {self.query_execution_id}" if self.query_execution_id else self.relation
        return f"athena workgroup {self.athena.workgroup} :: {where}"

    def read(self) -> pa.Table:
        what = f"reading {self.describe()}"
        if self.query_execution_id:
            table = results_arrow(self.athena, self.query_execution_id, what)
        else:
            table = query_arrow(self.athena, self.sql, what)
        if table.num_columns == 0:  # Athena wrote no result file: no rows
            table = MEMBERSHIP_SCHEMA.empty_table()
        return validate_membership(table, self.describe())


def membership_source(
    settings: Settings,
    relation: str = DEFAULT_RELATION,
    *,
    query_execution_id: str | None = None,
) -> MembershipSource:
    """Where a command reads segment membership: the embedded DuckDB file for a local lake, else the dbt schema on
    Athena (ENGLAKE_ATHENA_SCHEMA; ConfigError names what is missing)."""
    if settings.is_local and not query_execution_id:
        return DuckDBMembership(settings.resolved_duckdb_path, relation)
    return AthenaMembership(settings.athena(building=False), relation, query_execution_id=query_execution_id)
