"""The type of an expression inside a statement, asked of DuckDB (DESCRIBE of a query that selects just it).

Trino decides what a statement means from the types of the relations it reads; DuckDB knows those types for the
relations already built, so asking it is how the analyzer and the typed rewrites learn them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
from sqlglot import exp


class Prober:
    """Types of expressions of one statement (DuckDB type names, upper case), None where they cannot be asked."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, root: exp.Expression) -> None:
        self._connection = connection
        self._root = root

    def type_of(self, node: exp.Expression, *, joins_before: exp.Join | None = None) -> str | None:
        """The DuckDB type of ``node``, evaluated in the FROM clause of its SELECT (up to ``joins_before``)."""
        found = self._types([node], joins_before)
        return None if found is None else found[0]

    def types_of(self, nodes: Sequence[exp.Expression]) -> list[str | None]:
        """``type_of`` of each node: asked in one DESCRIBE when they share a SELECT (a CASE's results, the two sides
        of a comparison), each on its own when that one cannot be asked (one of them alone fails)."""
        if len(nodes) > 1:
            found = self._types(nodes)
            if found is not None:
                return list(found)
        return [self.type_of(node) for node in nodes]

    def _types(self, nodes: Sequence[exp.Expression], joins_before: exp.Join | None = None) -> list[str] | None:
        for node in nodes:
            if node.find_ancestor(exp.Lambda) is not None or isinstance(node, exp.Lambda):
                return None  # lambda variables have no relation to select them from
        select = nodes[0].find_ancestor(exp.Select)
        if select is None or any(node.find_ancestor(exp.Select) is not select for node in nodes[1:]):
            return None
        probe = exp.Select(expressions=[exp.alias_(node.copy(), f"__probe{i}") for i, node in enumerate(nodes)])
        if select.args.get("from_") is not None:
            probe.set("from_", select.args["from_"].copy())
        joins = []
        for join in select.args.get("joins") or []:
            if join is joins_before:
                break
            joins.append(join.copy())
        probe.set("joins", joins)
        for grouped in (False, True):
            if grouped:
                if select.args.get("group") is None:
                    break
                probe.set("group", select.args["group"].copy())
            found = self._describe(self._with_context(select, probe))
            if found and len(found) == len(nodes):
                return found
        return None

    def column_types(self, select: exp.Expression) -> list[tuple[str, str]] | None:
        """(name, type) of every column a SELECT (or set operation branch) returns."""
        copy = select.copy()
        for key in ("order", "limit"):
            copy.set(key, None)
        return self._describe_columns(self._with_context(select, copy))

    def _with_context(self, select: exp.Expression, probe: exp.Select | exp.Expression) -> exp.Expression:
        """The probe with the statement's CTEs visible at ``select`` attached (those defined before its own)."""
        with_ = self._root.args.get("with_")
        if with_ is None:
            return probe
        visible = []
        own = select.find_ancestor(exp.CTE)
        for cte in with_.expressions:
            if cte is own:
                break
            visible.append(cte.copy())
        if visible:
            probe.set("with_", exp.With(expressions=visible))
        return probe

    def _describe(self, probe: exp.Expression) -> list[str] | None:
        columns = self._describe_columns(probe)
        return None if columns is None else [t for _, t in columns]

    def _describe_columns(self, probe: exp.Expression) -> list[tuple[str, str]] | None:
        sql = probe.sql(dialect="duckdb", copy=False)  # the probe is a copy already, made for this question
        try:
            rows = self._connection.execute(f"DESCRIBE {sql}").fetchall()
        except duckdb.Error:
            return None
        return [(str(row[0]), str(row[1]).upper()) for row in rows]
