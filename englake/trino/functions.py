"""Trino's functions where they behave differently from DuckDB's, defined on a DuckDB connection.

Each definition gives Trino's answer, as read in Trino's documentation and source (trinodb/trino, the class named in
each comment), so the Athena SQL of the models can run on DuckDB with Trino's results. Trino's JSON type is held as
JSON text in a VARCHAR. Names start with ``trino_``; ``englake.trino.translate`` rewrites Trino calls to them.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import duckdb
from duckdb import PythonExceptionHandling
from duckdb.func import FunctionNullHandling

#: Java's Character.isWhitespace, which Trino's trim/ltrim/rtrim use (airlift SliceUtf8.trim): tabs, line breaks,
#: the information separators and the Unicode space separators other than the non-breaking ones.
_JAVA_WHITESPACE = (
    r"[\x{0009}-\x{000D}\x{001C}-\x{0020}\x{1680}\x{2000}-\x{2006}\x{2008}-\x{200A}\x{2028}\x{2029}\x{205F}\x{3000}]"
)

#: What Long.parseLong (VarcharOperators.castToBigint) accepts: an optional sign and ASCII digits.
_JAVA_LONG = "[+-]?[0-9]+"

#: SQL macros: (name, parameters, body).
_MACROS: list[tuple[str, str, str]] = [
    # JoniRegexpFunctions.regexpExtract: NULL when nothing matches (DuckDB returns '').
    ("trino_regexp_extract", "s, p, g := 0", "CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END"),
    # ArrayContains: true if found; else NULL when the array holds a NULL; else false (DuckDB: false).
    (
        "trino_contains",
        "a, x",
        "CASE WHEN a IS NULL OR x IS NULL THEN NULL WHEN list_contains(a, x) THEN true "
        "WHEN list_contains(list_transform(a, lambda e: e IS NULL), true) THEN NULL ELSE false END",
    ),
    # StringFunctions.trim → SliceUtf8.trim: Java whitespace at both ends (DuckDB's trim removes spaces only).
    ("trino_trim", "s", f"regexp_replace(s, '^{_JAVA_WHITESPACE}+|{_JAVA_WHITESPACE}+$', '', 'g')"),
    ("trino_ltrim", "s", f"regexp_replace(s, '^{_JAVA_WHITESPACE}+', '')"),
    ("trino_rtrim", "s", f"regexp_replace(s, '{_JAVA_WHITESPACE}+$', '')"),
    # Integer division truncates toward zero and fails on a zero divisor (DuckDB's / gives a double, or NULL).
    ("trino_int_divide", "a, b", "CASE WHEN b = 0 THEN error('Division by zero') ELSE a // b END"),
    # concat: NULL if any argument is NULL (DuckDB's concat skips NULLs).
    ("trino_concat2", "a, b", "a || b"),
    # current_timestamp is timestamp(3) with time zone.
    ("trino_current_timestamp", "", "date_trunc('millisecond', current_timestamp)"),
]


def integer_cast_sql(operand: str, duck_type: str, safe: bool) -> str:
    """SQL casting a VARCHAR to an integer type as Trino does: VarcharOperators.castToBigint is Long.parseLong, so
    only an optional sign and digits parse ('1.0', ' 5' and '1e3' do not)."""
    parsed = f"CASE WHEN regexp_full_match({operand}, '{_JAVA_LONG}') THEN TRY_CAST({operand} AS {duck_type}) END"
    if safe:
        return parsed
    return (
        f"CASE WHEN {operand} IS NULL THEN NULL WHEN regexp_full_match({operand}, '{_JAVA_LONG}') "
        f"THEN CAST({operand} AS {duck_type}) ELSE error('Cannot cast ''' || {operand} || ''' to {duck_type}') END"
    )


# --- JSON (JsonFunctions, JsonExtract, JsonUtil) -------------------------------------------------------------------


class _Number(str):
    """A JSON number kept as its text (json_extract_scalar returns the text as written)."""


def _loads(text: str) -> Any:
    def no_constants(name: str) -> Any:
        raise ValueError(f"invalid JSON token {name}")

    return json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=no_constants)


def _java_double(value: float) -> str:
    """Double.toString, as Trino writes a double (Jackson, DoubleOperators.castToVarchar)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(float(value))
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(float(value))).as_tuple()
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) - 1 + int(exponent)
    return f"{'-' if sign else ''}{shown[0]}.{shown[1:] or '0'}E{power}"


def double_to_varchar(value: float | None) -> str | None:
    """CAST(double AS varchar): DoubleOperators.castToVarchar, Java's Double.toString."""
    return None if value is None else _java_double(value)


def _number_text(number: _Number) -> str:
    """How Jackson writes a number it re-serialises: integers as written, fractions as Java doubles."""
    if re.fullmatch(r"-?[0-9]+", number):
        return str(int(number))
    return _java_double(float(number))


def _dumps(value: Any, *, sort_keys: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return _number_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v, sort_keys=sort_keys) for v in value) + "]"
    items = sorted(value.items()) if sort_keys else list(value.items())
    members = (f"{json.dumps(k, ensure_ascii=False)}:{_dumps(v, sort_keys=sort_keys)}" for k, v in items)
    return "{" + ",".join(members) + "}"


_PATH_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\]|\[([0-9]+)\]|\.\"((?:[^"\\]|\\.)*)\"')


def _path_steps(path: str) -> list[str | int]:
    """Trino's JsonPath (JsonPathTokenizer): $ then .name, ["quoted"] or [index]."""
    if not path.startswith("$"):
        raise ValueError(f"Invalid JSON path: '{path}'")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _PATH_STEP.match(path, position)
        if not match:
            raise ValueError(f"Invalid JSON path: '{path}'")
        name, quoted, index, dotted_quote = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            escaped = quoted if quoted is not None else dotted_quote
            steps.append(name if name is not None else json.loads(f'"{escaped}"'))
        position = match.end()
    return steps


_MISSING = object()


def _walk(document: Any, path: str) -> Any:
    node = document
    for step in _path_steps(path):
        in_array = isinstance(step, int) and isinstance(node, list) and step < len(node)
        in_object = isinstance(step, str) and isinstance(node, dict) and step in node
        if in_array or in_object:
            node = node[step]
        else:
            return _MISSING
    return node


def json_extract(text: str | None, path: str | None) -> str | None:
    """json_extract(json, path) → JSON text of the subtree, NULL when the path finds nothing or the text is not JSON."""
    if text is None or path is None:
        return None
    try:
        document = _loads(text)
    except ValueError:
        return None
    node = _walk(document, path)
    return None if node is _MISSING else _dumps(node, sort_keys=False)


def json_extract_scalar(text: str | None, path: str | None) -> str | None:
    """json_extract_scalar: the scalar as text (a number as written); NULL for objects, arrays, null and misses."""
    if text is None or path is None:
        return None
    try:
        node = _walk(_loads(text), path)
    except ValueError:
        return None
    if node is _MISSING or node is None or isinstance(node, dict | list):
        return None
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def json_parse(text: str | None, safe: bool) -> str | None:
    """json_parse: canonical JSON text (compact, keys sorted: JsonFunctions' SORTED_MAPPER); fails on bad JSON."""
    if text is None:
        return None
    try:
        return _dumps(_loads(text), sort_keys=True)
    except ValueError as error:
        if safe:
            return None
        raise ValueError(f"Cannot convert value to JSON: '{text[:80]}'") from error


def is_json_scalar(text: str | None) -> bool | None:
    if text is None:
        return None
    return not isinstance(_loads(text), dict | list)


def json_to_varchar(text: str | None, safe: bool) -> str | None:
    """CAST(json AS varchar): a scalar's value; objects and arrays cannot be cast (json.md, json_format note)."""
    if text is None:
        return None
    value = _loads(text)
    if isinstance(value, dict | list):
        if safe:
            return None
        raise ValueError(f"Cannot cast to varchar. Expected a scalar JSON value, but got {text[:80]}")
    return _scalar_as_varchar(value)


def _scalar_as_varchar(value: Any) -> str | None:
    """JsonUtil.currentTokenAsVarchar: strings as they are, integers as written, fractions as Java doubles."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return _number_text(value)
    return value


class _CastError(ValueError):
    pass


def _cast_value(value: Any, target: dict[str, Any]) -> Any:
    """One JSON value cast to a Trino type (JsonToMapCast / JsonToArrayCast / JsonUtil): any element that cannot be
    cast fails the whole cast, so try_cast gives NULL for the whole map or array."""
    kind = target["kind"]
    if value is None:
        return None
    if kind == "json":
        return _JsonText(_dumps(value, sort_keys=False))
    if kind == "varchar":
        if isinstance(value, dict | list):
            raise _CastError("Expected a scalar JSON value")
        return _scalar_as_varchar(value)
    if kind in ("bigint", "integer"):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, dict | list):
            raise _CastError("Expected a scalar JSON value")
        text = str(value)
        if re.fullmatch(_JAVA_LONG, text):
            return int(text)
        if isinstance(value, _Number):
            return math.floor(float(text) + 0.5)  # a JSON fraction is rounded half up (DoubleOperators.castToLong)
        raise _CastError(f"Cannot cast '{text}' to BIGINT")
    if kind == "double":
        if isinstance(value, dict | list):
            raise _CastError("Expected a scalar JSON value")
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        try:
            return float(value)
        except ValueError as error:
            raise _CastError(f"Cannot cast '{value}' to DOUBLE") from error
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and not isinstance(value, _Number) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _CastError(f"Cannot cast '{value}' to BOOLEAN")
    if kind == "array":
        if not isinstance(value, list):
            raise _CastError("Expected a json array")
        return [_cast_value(v, target["element"]) for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise _CastError("Expected a json object")
        return {k: _cast_value(v, target["value"]) for k, v in value.items()}
    raise _CastError(f"unsupported cast target {kind}")


class _JsonText(str):
    """A JSON value inside a cast result (MAP(varchar, json) and the like), written as JSON text."""


def _to_json_for_duckdb(value: Any) -> str:
    """A cast result as JSON text DuckDB casts into its own nested types (JSON values become strings)."""
    if value is None:
        return "null"
    if isinstance(value, _JsonText):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_to_json_for_duckdb(v) for v in value) + "]"
    members = (f"{json.dumps(k, ensure_ascii=False)}:{_to_json_for_duckdb(v)}" for k, v in value.items())
    return "{" + ",".join(members) + "}"


def json_cast(text: str | None, target_json: str, safe: bool) -> str | None:
    """CAST(json AS map/array/scalar type): the result as JSON text for DuckDB to cast, NULL on failure when safe."""
    if text is None:
        return None
    target = json.loads(target_json)
    try:
        value = _cast_value(_loads(text), target)
    except _CastError as error:
        if safe:
            return None
        raise ValueError(f"Cannot cast to {target_json}: {error}") from error
    return None if value is None else _to_json_for_duckdb(value)


# --- Timestamps (DateTimeFunctions) --------------------------------------------------------------------------------

_ISO8601 = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?)?"
    r"(?P<z>Z|[+-]\d{2}(?::?\d{2})?)?"
)


def from_iso8601_timestamp(text: str | None, safe: bool) -> str | None:
    """from_iso8601_timestamp → timestamp(3) with time zone (datetime.md): Joda's ISO parser, fraction cut to
    milliseconds, session zone (UTC on Athena) when the text has none. Returned as UTC text for DuckDB."""
    if text is None:
        return None
    match = _ISO8601.fullmatch(text)
    if not match:
        if safe:
            return None
        raise ValueError(f'Invalid format: "{text}"')
    g = match.groupdict()
    fraction = (g["f"] or "0")[:3].ljust(3, "0")
    moment = datetime(
        int(g["y"]), int(g["mo"] or 1), int(g["d"] or 1), int(g["h"] or 0), int(g["mi"] or 0), int(g["s"] or 0),
        int(fraction) * 1000, tzinfo=_zone(g["z"]),
    )  # fmt: skip
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(offset if text[0] == "+" else -offset)


#: Joda-Time pattern letters (DateTimeFormat) the models use, as Python strptime directives.
_JODA = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S", "SSS": "%f", "Z": "%z",
         "EEE": "%a", "MMM": "%b"}  # fmt: skip
_JODA_TOKEN = re.compile(r"'([^']*)'|(yyyy|MMM|MM|dd|HH|mm|ss|SSS|EEE|Z)|(.)")


def _joda_to_strptime(pattern: str) -> str:
    out = []
    for quoted, letters, other in _JODA_TOKEN.findall(pattern):
        if letters:
            out.append(_JODA[letters])
        elif other:
            if other.isalpha():
                raise ValueError(f"Joda pattern letter {other!r} in {pattern!r} is not emulated")
            out.append(other.replace("%", "%%"))
        else:
            out.append("'" if quoted == "" else quoted.replace("%", "%%"))
    return "".join(out)


def parse_datetime(text: str | None, pattern: str | None, safe: bool) -> str | None:
    """parse_datetime(string, Joda pattern) → timestamp(3) with time zone; fails when the text does not fit."""
    if text is None or pattern is None:
        return None
    try:
        moment = datetime.strptime(text, _joda_to_strptime(pattern))
    except ValueError as error:
        if safe:
            return None
        raise ValueError(f'Invalid format: "{text}"') from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def install(connection: duckdb.DuckDBPyConnection) -> None:
    """Define every trino_* function on a DuckDB connection (session time zone UTC, as Athena's)."""
    connection.execute("SET TimeZone = 'UTC'")
    for name, parameters, body in _MACROS:
        connection.execute(f"CREATE OR REPLACE MACRO {name}({parameters}) AS {body}")
    varchar, boolean = "VARCHAR", "BOOLEAN"
    python_functions = [
        ("trino_json_extract", json_extract, [varchar, varchar], varchar),
        ("trino_json_extract_scalar", json_extract_scalar, [varchar, varchar], varchar),
        ("trino_json_parse", json_parse, [varchar, boolean], varchar),
        ("trino_is_json_scalar", is_json_scalar, [varchar], boolean),
        ("trino_json_to_varchar", json_to_varchar, [varchar, boolean], varchar),
        ("trino_json_cast", json_cast, [varchar, varchar, boolean], varchar),
        ("trino_from_iso8601_timestamp", from_iso8601_timestamp, [varchar, boolean], varchar),
        ("trino_parse_datetime", parse_datetime, [varchar, varchar, boolean], varchar),
        ("trino_double_to_varchar", double_to_varchar, ["DOUBLE"], varchar),
    ]
    for name, function, parameters, returns in python_functions:
        connection.create_function(
            name,
            function,
            parameters,  # type: ignore[arg-type]
            returns,  # type: ignore[arg-type]
            null_handling=FunctionNullHandling.SPECIAL,
            exception_handling=PythonExceptionHandling.DEFAULT,
        )
