"""Errors Trino's analyzer raises before running a statement, which DuckDB (more lenient) would not.

Each check reads the sqlglot tree with the types of the relations it reads (asked of DuckDB, see ``probe``) and
returns Trino's error message, so a statement DuckDB would happily run still fails the check as it fails on Athena:

- a function Trino does not have (``Function 'x' not registered``);
- an UNNEST alias list whose length is not the number of columns Trino makes: an array of rows unnests into one
  column per field (``Column alias list has 1 entries but 'fan' has 4 columns available``);
- a comparison of varchar with a number, date, timestamp or boolean (Trino never casts implicitly between them);
- UNION branches whose column types have no common type (varchar and bigint, map(varchar, varchar) and
  map(varchar, double), …) or a different number of columns;
- CASE / IF / COALESCE results with no common type (``All CASE results must be the same type``);
- ``||`` on something that is not varchar or an array (Trino's concat has no implicit cast to varchar).
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from englake.trino.function_names import TRINO_FUNCTIONS
from englake.trino.probe import Prober

_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
_NUMBERS = _INTEGERS | {"FLOAT", "DOUBLE", "REAL", "DECIMAL"}
_TEXT = {"VARCHAR", "JSON"}
_TIMES = {"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S"}


def family(duck_type: str) -> str:
    """A DuckDB type's coercion family in Trino's terms: number, text, time, boolean, null, or its own name."""
    base = re.sub(r"\(.*\)$", "", duck_type.strip()).strip()
    if base in _NUMBERS:
        return "number"
    if base in _TEXT:
        return "text"
    if base in _TIMES:
        return "time"
    if base == "BOOLEAN":
        return "boolean"
    if base in ('"NULL"', "NULL"):
        return "null"
    if base.endswith("[]"):
        return "array"
    return base.split("(")[0]


def is_integer(duck_type: str | None) -> bool:
    return duck_type is not None and duck_type.strip() in _INTEGERS


def unknown_functions(sql: str) -> list[str]:
    """Names called as functions that Trino does not have, as written (read from the tokens, not sqlglot's tree,
    which renames what it knows)."""
    tokens = Dialect.get_or_raise("trino").tokenize(sql)
    unknown = []
    for previous, token, following in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True):
        if token.token_type != TokenType.VAR or following is None or following.token_type != TokenType.L_PAREN:
            continue
        if previous is not None and previous.token_type in (TokenType.ALIAS, TokenType.DOT):
            continue  # `as t (a, b)` names columns; `x.f(` is not a call Trino has
        name = token.text.lower()
        if name not in TRINO_FUNCTIONS and name not in unknown:
            unknown.append(name)
    return [f"Function '{name}' not registered" for name in unknown]


def unnest_columns(element_types: list[str | None], ordinality: bool) -> int | None:
    """How many columns Trino's UNNEST makes: one per row field, two per map, one for anything else."""
    total = 0
    for element in element_types:
        if element is None:
            return None
        total += _columns_of_element(element)
    return total + (1 if ordinality else 0)


def _columns_of_element(array_type: str) -> int:
    text = array_type.strip()
    if text.startswith("MAP("):
        return 2
    if not text.endswith("[]"):
        return 1
    element = text[:-2]
    if element.startswith("STRUCT("):
        return len(_top_level_fields(element[len("STRUCT(") : -1]))
    return 1


def _top_level_fields(inner: str) -> list[str]:
    fields, depth, current = [], 0, []
    for char in inner:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        fields.append("".join(current).strip())
    return fields


def unnest_problem(unnest: exp.Unnest, prober: Prober, join: exp.Join | None) -> tuple[str | None, list[str | None]]:
    """Trino's error for an UNNEST alias list of the wrong length (or None), and the unnested arrays' types."""
    types = [prober.type_of(array, joins_before=join) for array in unnest.expressions]
    alias = unnest.args.get("alias")
    names = alias.columns if alias is not None else []
    if not names:
        return None, types
    available = unnest_columns(types, bool(unnest.args.get("offset")))
    if available is None or available == len(names):
        return None, types
    return (
        f"Column alias list has {len(names)} entries but '{alias.name}' has {available} columns available "
        f"(UNNEST of {', '.join(t or '?' for t in types)})",
        types,
    )


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def comparison_problems(tree: exp.Expression, prober: Prober) -> list[str]:
    """Comparisons Trino refuses: varchar against a number, date, timestamp or boolean."""
    problems = []
    for node in tree.find_all(*_COMPARISONS, exp.In):
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                continue
            pairs = [(node.this, other) for other in node.expressions]
        else:
            pairs = [(node.this, node.expression)]
        for left, right in pairs:
            if isinstance(left, exp.Null) or isinstance(right, exp.Null):
                continue
            left_type, right_type = prober.types_of([left, right])
            if left_type is None or right_type is None:
                continue
            families = {family(left_type), family(right_type)}
            if "text" in families and families & {"number", "time", "boolean"}:
                problems.append(
                    f"Cannot apply operator: {left_type.lower()} {_operator(node)} {right_type.lower()} "
                    f"in {node.sql(dialect='trino')[:120]}"
                )
    return problems


def _operator(node: exp.Expression) -> str:
    return {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.In: "IN"}[
        type(node)
    ]


def union_problems(tree: exp.Expression, prober: Prober) -> list[str]:
    """UNION / INTERSECT / EXCEPT branches Trino cannot line up: column counts, or types with no common type."""
    problems = []
    for union in tree.find_all(exp.SetOperation):
        if isinstance(union.parent, exp.SetOperation):
            continue  # the outermost set operation checks all its branches at once
        branches = _branches(union)
        described = [prober.column_types(branch) for branch in branches]
        if any(d is None for d in described):
            continue
        first = described[0]
        for number, other in enumerate(described[1:], start=2):
            if len(other) != len(first):
                problems.append(
                    f"{type(union).__name__.upper()} query has different number of fields: {len(first)}, {len(other)}"
                )
                continue
            for (name, left), (_, right) in zip(first, other, strict=True):
                if not coercible(left, right):
                    problems.append(
                        f"column {name} of {type(union).__name__.upper()} branch {number} is {right.lower()}, "
                        f"which Trino cannot coerce to {left.lower()} (branch 1)"
                    )
    return problems


def _branches(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.SetOperation):
        return _branches(node.this) + _branches(node.expression)
    if isinstance(node, exp.Subquery):
        return _branches(node.this)
    return [node]


def coercible(left: str, right: str) -> bool:
    """Whether Trino finds a common super type for two column types (TypeCoercion, simplified to families)."""
    a, b = family(left), family(right)
    if "null" in (a, b):
        return True
    if a != b:
        return False
    if a == "array":
        return coercible(left.strip()[:-2], right.strip()[:-2])
    if a in ("MAP", "STRUCT"):
        left_fields = _top_level_fields(left.strip()[len(a) + 1 : -1])
        right_fields = _top_level_fields(right.strip()[len(a) + 1 : -1])
        if len(left_fields) != len(right_fields):
            return False
        if a == "STRUCT":
            left_fields = [f.split(" ", 1)[1] if " " in f else f for f in left_fields]
            right_fields = [f.split(" ", 1)[1] if " " in f else f for f in right_fields]
        return all(coercible(x, y) for x, y in zip(left_fields, right_fields, strict=True))
    return True


def branch_problems(tree: exp.Expression, prober: Prober) -> list[str]:
    """CASE, IF and COALESCE whose results Trino cannot bring to one type (DuckDB casts them all to varchar)."""
    problems = []
    for node in tree.find_all(exp.Case, exp.If, exp.Coalesce):
        if isinstance(node, exp.Case):
            results = [when.args.get("true") for when in node.args.get("ifs") or []] + [node.args.get("default")]
        elif isinstance(node, exp.If):
            results = [node.args.get("true"), node.args.get("false")]
        else:
            results = [node.this, *node.expressions]
        typed = prober.types_of([r for r in results if r is not None and not isinstance(r, exp.Null)])
        known = [t for t in typed if t is not None]
        for other_type in known[1:]:
            first = known[0]
            if not coercible(first, other_type):
                problems.append(
                    f"All {type(node).__name__.upper()} results must be the same type or coercible to a common "
                    f"type: {first.lower()} and {other_type.lower()} in {node.sql(dialect='trino')[:120]}"
                )
                break
    return problems


def concat_problems(tree: exp.Expression, prober: Prober) -> list[str]:
    """``a || b`` where an operand is neither varchar nor an array: Trino has no such concat."""
    problems = []
    for node in tree.find_all(exp.DPipe):
        for operand in (node.this, node.expression):
            if isinstance(operand, exp.DPipe | exp.Null):
                continue
            operand_type = prober.type_of(operand)
            if operand_type is not None and family(operand_type) not in ("text", "array", "null"):
                problems.append(
                    f"Unexpected parameters ({operand_type.lower()}) for function concat "
                    f"in {node.sql(dialect='trino')[:120]}"
                )
    return problems
