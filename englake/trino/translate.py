"""Athena (Trino) SQL rewritten to run on DuckDB with Trino's results, and checked by Trino's analyzer rules.

sqlglot transpiles Trino to DuckDB by name (``contains`` → ``array_contains``, ``/`` → ``/``), which keeps DuckDB's
semantics. Here every call whose semantics differ becomes a call to a ``trino_*`` function (``functions``), and the
constructs that depend on types (integer division, varchar → integer casts, UNNEST of rows, ``to_milliseconds``)
are rewritten once DuckDB has told their operands' types (``probe``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import sqlglot
from sqlglot import exp

from englake.trino import analyzer
from englake.trino.functions import integer_cast_sql
from englake.trino.probe import Prober

_JSON_VALUED = {"trino_json_extract", "trino_json_parse"}


@dataclass
class Translation:
    """A statement as DuckDB SQL, with the errors Trino would raise on it (a statement with errors must not run)."""

    sql: str
    problems: list[str] = field(default_factory=list)


def translate(sql: str, connection: duckdb.DuckDBPyConnection) -> Translation:
    """Rewrite one Trino statement for DuckDB with Trino's semantics; the relations it reads must exist already."""
    problems = analyzer.unknown_functions(sql)
    tree = sqlglot.parse_one(sql, read="trino")
    _post_order(tree, _rewrite_call)
    prober = Prober(connection, tree)
    problems += _rewrite_unnests(tree, prober)
    problems += analyzer.comparison_problems(tree, prober)
    problems += analyzer.union_problems(tree, prober)
    problems += analyzer.branch_problems(tree, prober)
    problems += analyzer.concat_problems(tree, prober)
    _rewrite_typed(tree, prober)
    return Translation(tree.sql(dialect="duckdb"), problems)


def _post_order(tree: exp.Expression, rewrite: object) -> None:
    """Apply ``rewrite(node) -> replacement | None`` to every node, children before parents."""
    for node in reversed(list(tree.walk(bfs=False))):
        replacement = rewrite(node)  # type: ignore[operator]
        if replacement is not None and replacement is not node:
            node.replace(replacement)


def _call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _duck(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def _path(node: exp.Expression) -> exp.Literal:
    """A JSONPath argument back as the string Trino received."""
    return exp.Literal.string(sqlglot.parse_one(node.sql(dialect="trino"), read="trino").name)


def _safe(node: exp.Expression) -> exp.Boolean:
    return exp.Boolean(this=isinstance(node.parent, exp.Try))


def _java_replacement(text: str) -> str:
    """A Java (Trino) regexp replacement as RE2 (DuckDB) writes it: ``$1`` → ``\\1``, ``\\$`` → ``$``."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append("\\\\" if text[i + 1] == "\\" else text[i + 1])
            i += 2
        elif char == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append("\\" + text[i + 1])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _rewrite_call(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.RegexpReplace) and node.args.get("replacement") is not None:
        # Trino names groups $1 in replacements (Java's Matcher); DuckDB's RE2 writes \1: rewrite the literal parts.
        for literal in list(node.args["replacement"].find_all(exp.Literal)):
            if literal.is_string:
                literal.replace(exp.Literal.string(_java_replacement(literal.this)))
        return None
    if isinstance(node, exp.RegexpExtract):
        args = [node.this, node.expression] + ([node.args["group"]] if node.args.get("group") else [])
        return _call("trino_regexp_extract", *args)
    if isinstance(node, exp.ArrayContains):
        return _call("trino_contains", node.this, node.expression)
    if isinstance(node, exp.Trim) and node.args.get("expression") is None:
        position = (node.args.get("position") or "").upper()
        name = {"LEADING": "trino_ltrim", "TRAILING": "trino_rtrim"}.get(position, "trino_trim")
        return _call(name, node.this)
    if isinstance(node, exp.JSONExtractScalar):
        return _call("trino_json_extract_scalar", node.this, _path(node.expression))
    if isinstance(node, exp.JSONExtract):
        return _call("trino_json_extract", node.this, _path(node.expression))
    if isinstance(node, exp.JSONFormat):
        return node.this  # Trino JSON is JSON text here, already in json_format's form
    if isinstance(node, exp.ParseJSON):
        return _call("trino_json_parse", node.this, _safe(node))
    if isinstance(node, exp.FromISO8601Timestamp):
        return exp.cast(_call("trino_from_iso8601_timestamp", node.this, _safe(node)), "TIMESTAMPTZ")
    if isinstance(node, exp.ParseDatetime):
        fmt = node.args["format"]
        return exp.cast(_call("trino_parse_datetime", node.this, fmt, _safe(node)), "TIMESTAMPTZ")
    if isinstance(node, exp.Try) and isinstance(node.this, exp.Anonymous) and node.this.name.startswith("trino_"):
        return node.this  # the function was told it runs inside try() and returns NULL itself
    if isinstance(node, exp.Concat) and not isinstance(node, exp.ConcatWs):
        # concat_ws (sqlglot's ConcatWs is a Concat) skips NULLs on both engines (Trino string.md): left as it is.
        parts = node.expressions
        joined = parts[0]
        for part in parts[1:]:
            joined = exp.DPipe(this=joined, expression=part, safe=True)
        return exp.Paren(this=joined)
    if isinstance(node, exp.CurrentTimestamp):
        return _call("trino_current_timestamp")
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "transform_values":
            return _transform_values(node)
        if name == "is_json_scalar":
            return _call("trino_is_json_scalar", *node.expressions)
    if isinstance(node, exp.Cast | exp.TryCast):
        return _rewrite_json_cast(node)
    return None


def _transform_values(node: exp.Anonymous) -> exp.Expression:
    """transform_values(m, (k, v) -> body): DuckDB has no such function; rebuild the map from its entries."""
    mapping, function = node.expressions
    key, value = (p.name for p in function.expressions)
    json_values = '"value": {"kind": "json"}' in mapping.sql(dialect="duckdb")
    body = function.this.copy()
    for reference in list(body.find_all(exp.Column, exp.Identifier)):
        if isinstance(reference, exp.Identifier) and isinstance(reference.parent, exp.Column):
            continue
        if isinstance(reference, exp.Column) and reference.table:
            continue
        if reference.name not in (key, value):
            continue
        replacement = _duck(f"__e.{'key' if reference.name == key else 'value'}")
        if json_values and reference.name == value:
            cast = reference.parent
            if isinstance(cast, exp.Cast | exp.TryCast) and cast.to.this in exp.DataType.TEXT_TYPES:
                safe = exp.Boolean(this=isinstance(cast, exp.TryCast))
                cast.replace(_call("trino_json_to_varchar", replacement, safe))
                continue
        reference.replace(replacement)
    return _duck(
        f"map_from_entries(list_transform(map_entries({mapping.sql(dialect='duckdb')}), "
        f"lambda __e: {{'key': __e.key, 'value': {body.sql(dialect='duckdb')}}}))"
    )


def _is_json_valued(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name in _JSON_VALUED


def _rewrite_json_cast(node: exp.Cast | exp.TryCast) -> exp.Expression | None:
    """CAST(json AS map/array/varchar/…): Trino's rules (a value that cannot be cast fails the whole cast)."""
    if not _is_json_valued(node.this):
        return None
    safe = exp.Boolean(this=isinstance(node, exp.TryCast) or isinstance(node.parent, exp.Try))
    target = node.to
    if target.this in exp.DataType.TEXT_TYPES:
        return _call("trino_json_to_varchar", node.this, safe)
    descriptor = exp.Literal.string(json.dumps(_descriptor(target)))
    text = _call("trino_json_cast", node.this, descriptor, safe)
    return exp.cast(exp.cast(text, "JSON"), _duck_type(target))


def _descriptor(data_type: exp.DataType) -> dict:
    kind = data_type.this
    if kind == exp.DataType.Type.MAP:
        return {"kind": "map", "value": _descriptor(data_type.expressions[1])}
    if kind == exp.DataType.Type.ARRAY:
        return {"kind": "array", "element": _descriptor(data_type.expressions[0])}
    names = {
        exp.DataType.Type.JSON: "json",
        exp.DataType.Type.BIGINT: "bigint",
        exp.DataType.Type.INT: "integer",
        exp.DataType.Type.DOUBLE: "double",
        exp.DataType.Type.BOOLEAN: "boolean",
    }
    if kind in names:
        return {"kind": names[kind]}
    if kind in exp.DataType.TEXT_TYPES:
        return {"kind": "varchar"}
    raise ValueError(f"CAST from JSON to {data_type.sql(dialect='trino')} is not emulated")


def _duck_type(data_type: exp.DataType) -> exp.DataType:
    """The DuckDB type of a cast result; Trino JSON values are JSON text (VARCHAR) here."""
    copy = data_type.copy()
    for inner in copy.find_all(exp.DataType):
        if inner.this == exp.DataType.Type.JSON:
            inner.set("this", exp.DataType.Type.VARCHAR)
    return copy


def _rewrite_unnests(tree: exp.Expression, prober: Prober) -> list[str]:
    """Check every UNNEST's alias list against Trino's column count; unnest arrays of rows into one column per field
    (DuckDB keeps the row as one struct column)."""
    problems = []
    for unnest in list(tree.find_all(exp.Unnest)):
        join = unnest.parent if isinstance(unnest.parent, exp.Join) else None
        problem, types = analyzer.unnest_problem(unnest, prober, join)
        if problem:
            problems.append(problem)
            continue
        alias = unnest.args.get("alias")
        if (
            alias is None
            or len(unnest.expressions) != 1
            or unnest.args.get("offset")
            or types[0] is None
            or not types[0].strip().endswith("[]")
            or not types[0].strip()[:-2].startswith("STRUCT(")
        ):
            continue
        array = unnest.expressions[0].sql(dialect="duckdb")
        columns = ", ".join(c.sql(dialect="duckdb") for c in alias.columns)
        lateral = _duck(
            f"SELECT * FROM (SELECT 1) AS __x CROSS JOIN LATERAL "
            f"(SELECT UNNEST(__e) FROM (SELECT UNNEST({array}) AS __e)) AS {alias.name}({columns})"
        )
        unnest.replace(lateral.args["joins"][0].this)
    return problems


_INTEGER_TYPES = {
    exp.DataType.Type.BIGINT: "BIGINT",
    exp.DataType.Type.INT: "INTEGER",
    exp.DataType.Type.SMALLINT: "SMALLINT",
    exp.DataType.Type.TINYINT: "TINYINT",
}


def _rewrite_typed(tree: exp.Expression, prober: Prober) -> None:
    """Rewrites that need operand types: integer division, varchar → integer casts, to_milliseconds."""
    for node in reversed(list(tree.walk(bfs=False))):
        if isinstance(node, exp.Div):
            left, right = prober.types_of([node.this, node.expression])
            if analyzer.is_integer(left) and analyzer.is_integer(right):
                node.replace(_call("trino_int_divide", node.this.copy(), node.expression.copy()))
        elif isinstance(node, exp.Cast | exp.TryCast) and node.to.this in _INTEGER_TYPES:
            operand_type = prober.type_of(node.this)
            if operand_type is not None and analyzer.family(operand_type) == "text":
                safe = isinstance(node, exp.TryCast) or isinstance(node.parent, exp.Try)
                sql = integer_cast_sql(node.this.sql(dialect="duckdb"), _INTEGER_TYPES[node.to.this], safe)
                node.replace(exp.Paren(this=_duck(sql)))
        elif isinstance(node, exp.Cast | exp.TryCast) and node.to.this in exp.DataType.TEXT_TYPES:
            _rewrite_to_varchar(node, prober.type_of(node.this))
        elif isinstance(node, exp.Anonymous) and node.name.lower() == "to_milliseconds":
            (argument,) = node.expressions
            argument_type = prober.type_of(argument) or ""
            if argument_type.startswith("INTERVAL"):
                node.replace(_duck(f"CAST(epoch({argument.sql(dialect='duckdb')}) * 1000 AS BIGINT)"))
            else:  # DuckDB subtracts dates into a number of days; Trino into an interval day to second
                node.replace(_duck(f"(({argument.sql(dialect='duckdb')}) * 86400000)"))


def _rewrite_to_varchar(node: exp.Cast | exp.TryCast, operand_type: str | None) -> None:
    """CAST(x AS varchar) writes doubles as Java does (1.0E7) and timestamp(6) with all six fraction digits
    (DuckDB writes 10000000.0 and drops a zero fraction): text built from them differs between the engines."""
    if operand_type is None:
        return
    operand = node.this.sql(dialect="duckdb")
    if operand_type in ("DOUBLE", "FLOAT", "REAL"):
        node.replace(_call("trino_double_to_varchar", node.this.copy()))
    elif operand_type == "TIMESTAMP":  # the models store timestamp(6) on Athena
        node.replace(_duck(f"strftime({operand}, '%Y-%m-%d %H:%M:%S.%f')"))
