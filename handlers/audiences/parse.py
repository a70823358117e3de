"""Read an audience file (CSV with a header, or NDJSON) into endpoint records, rejecting bad rows with a reason.

Every physical line is accounted for: it becomes an endpoint or a reject naming the line and what was wrong, so
``accepted + rejected == rows``. A file that can't be read at all (no header, a missing required column, a column
name Pinpoint can't store) raises ``AudienceFileError`` naming the file and the column.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from englake.errors import InputError
from englake.pinpoint_quotas import (
    FORBIDDEN_NAME_CHARS,
    MAX_ATTRIBUTE_NAME_CHARS,
    MAX_ATTRIBUTE_VALUE_CHARS,
    MAX_ENDPOINT_BYTES,
    MAX_VALUES_PER_ATTRIBUTE,
)
from handlers.audiences.columns import (
    ATTRIBUTE_PREFIX,
    CHANNEL_TYPES,
    MAX_LINE_BYTES,
    METRIC_PREFIX,
    NESTED_COLUMNS,
    OPT_OUT_VALUES,
    REQUIRED_COLUMNS,
    SCALAR_COLUMNS,
    USER_ATTRIBUTE_PREFIX,
)

Format = Literal["CSV", "JSON"]


class AudienceFileError(InputError):
    """The file as a whole is unusable (names the file and the header or column)."""


class RowError(ValueError):
    """One row is unusable; the message names the field."""


@dataclass(frozen=True)
class Reject:
    line: int
    endpoint_id: str | None
    reason: str


@dataclass
class ParsedAudience:
    """Endpoints in Pinpoint's ``EndpointRequest`` shape plus ``Id``, with their line numbers, and the rejects."""

    source: str
    format: Format
    columns: list[str]
    endpoints: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.endpoints) + len(self.rejects)


def detect_format(key: str, head: bytes) -> Format:
    """NDJSON by extension (.json, .ndjson, .jsonl) or a first character ``{``; CSV otherwise."""
    name = key.lower().removesuffix(".gz")
    if name.endswith((".json", ".ndjson", ".jsonl")):
        return "JSON"
    if name.endswith(".csv"):
        return "CSV"
    return "JSON" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "CSV"


def derived_id(channel: str, address: str) -> str:
    """A stable endpoint id for a row without ``Id``: the same address imports onto the same endpoint every time."""
    return hashlib.sha256(f"{channel}\x1f{address}".encode()).hexdigest()[:32]


def parse_audience(body: bytes, source: str, fmt: Format | None = None) -> ParsedAudience:
    """Parse a whole file; ``source`` (the S3 key) names it in every message."""
    fmt = fmt or detect_format(source, body[:64])
    lines = _split_lines(body)
    if fmt == "CSV":
        return _parse_csv(lines, source)
    return _parse_ndjson(lines, source)


# -- lines and encodings ------------------------------------------------------------------------------------------


def _split_lines(body: bytes) -> list[tuple[int, bytes]]:
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AudienceFileError("the file is UTF-16: save it as UTF-8 (CSV UTF-8 in spreadsheet programs)")
    return [(number, line.rstrip(b"\r")) for number, line in enumerate(body.split(b"\n"), start=1)]


def _decode(line: bytes) -> str:
    if len(line) > MAX_LINE_BYTES:
        raise RowError(f"row is {len(line):,} bytes; at most {MAX_LINE_BYTES:,}")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RowError(f"not UTF-8 at byte {error.start} (save the file as UTF-8)") from None


# -- CSV ----------------------------------------------------------------------------------------------------------


def _parse_csv(lines: list[tuple[int, bytes]], source: str) -> ParsedAudience:
    content = [(n, raw) for n, raw in lines if raw.strip()]
    if not content:
        raise AudienceFileError(f"{source}: the file is empty (expected a header row)")
    _header_line, header_raw = content[0]
    try:
        header = next(csv.reader([_decode(header_raw)]))
    except RowError as error:
        raise AudienceFileError(f"{source}: header row: {error}") from None
    columns = [name.strip() for name in header]
    _check_header(columns, source)
    parsed = ParsedAudience(source, "CSV", columns)
    seen: dict[str, int] = {}
    for number, raw in content[1:]:
        try:
            cells = next(csv.reader([_decode(raw)]))
            if len(cells) != len(columns):
                raise RowError(f"{len(cells)} cells for {len(columns)} columns")
            endpoint = _endpoint_from_columns(dict(zip(columns, cells, strict=True)))
            _accept(parsed, seen, number, endpoint)
        except (RowError, csv.Error) as error:
            parsed.rejects.append(Reject(number, None, str(error)))
    return parsed


def _check_header(columns: list[str], source: str) -> None:
    if len(set(columns)) != len(columns):
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        raise AudienceFileError(f"{source}: column {repeated[0]!r} appears more than once in the header")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AudienceFileError(
            f"{source}: header has no {missing[0]!r} column (found {', '.join(columns) or 'nothing'}); "
            f"an audience file needs {' and '.join(REQUIRED_COLUMNS)}"
        )
    for column in columns:
        if not column:
            raise AudienceFileError(f"{source}: the header has an empty column name")
        try:
            _classify(column)
        except RowError as error:
            raise AudienceFileError(f"{source}: column {column!r}: {error}") from None


def _classify(column: str) -> tuple[str, str | None]:
    """(kind, name) of a column: scalar, nested (Location.City), attribute, user_attribute or metric."""
    if column in SCALAR_COLUMNS:
        return "scalar", None
    for prefix, kind in (
        (USER_ATTRIBUTE_PREFIX, "user_attribute"),
        (ATTRIBUTE_PREFIX, "attribute"),
        (METRIC_PREFIX, "metric"),
    ):
        if column.startswith(prefix):
            return kind, _attribute_name(column[len(prefix) :])
    group, dot, member = column.partition(".")
    if dot and group in NESTED_COLUMNS:
        if member not in NESTED_COLUMNS[group]:
            raise RowError(f"{group} has no member {member!r} (one of {', '.join(NESTED_COLUMNS[group])})")
        return "nested", None
    # Not a standard column: a custom attribute under its own name.
    return "attribute", _attribute_name(column)


def _attribute_name(name: str) -> str:
    if not name or len(name) > MAX_ATTRIBUTE_NAME_CHARS or set(name) & FORBIDDEN_NAME_CHARS:
        raise RowError(
            f"attribute name {name!r}: Pinpoint takes 1–{MAX_ATTRIBUTE_NAME_CHARS} characters without # : ? \\ /"
        )
    return name


def _endpoint_from_columns(cells: dict[str, str]) -> dict[str, Any]:
    endpoint: dict[str, Any] = {}
    for column, raw in cells.items():
        value = raw.strip()
        if value == "":
            continue
        kind, name = _classify(column)
        if kind == "scalar":
            endpoint[column] = value
        elif kind == "nested":
            group, _, member = column.partition(".")
            endpoint.setdefault(group, {})[member] = _number(value) if member in ("Latitude", "Longitude") else value
        elif kind == "attribute":
            endpoint.setdefault("Attributes", {})[name] = [value]
        elif kind == "user_attribute":
            endpoint.setdefault("User", {}).setdefault("UserAttributes", {})[name] = [value]
        else:
            endpoint.setdefault("Metrics", {})[name] = _number(value, column)
    return endpoint


def _number(value: str, column: str = "value") -> float:
    try:
        return float(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a number") from None


# -- NDJSON -------------------------------------------------------------------------------------------------------


def _parse_ndjson(lines: list[tuple[int, bytes]], source: str) -> ParsedAudience:
    parsed = ParsedAudience(source, "JSON", [])
    columns: dict[str, None] = {}
    seen: dict[str, int] = {}
    for number, raw in lines:
        if not raw.strip():
            continue
        try:
            document = json.loads(_decode(raw))
            if not isinstance(document, dict):
                raise RowError(f"expected a JSON object, found {type(document).__name__}")
            columns.update(dict.fromkeys(document))
            _accept(parsed, seen, number, _endpoint_from_json(document))
        except json.JSONDecodeError as error:
            parsed.rejects.append(Reject(number, None, f"invalid JSON ({error.msg} at column {error.colno})"))
        except RowError as error:
            parsed.rejects.append(Reject(number, None, str(error)))
    parsed.columns = list(columns)
    if parsed.endpoints and not any(c in columns for c in REQUIRED_COLUMNS):
        raise AudienceFileError(f"{source}: no record has {' or '.join(REQUIRED_COLUMNS)}")
    return parsed


def _endpoint_from_json(document: dict[str, Any]) -> dict[str, Any]:
    """Pinpoint's JSON import shape; unknown top-level keys become attributes, as unknown CSV columns do."""
    endpoint: dict[str, Any] = {}
    for key, value in document.items():
        if value is None:
            continue
        if key in SCALAR_COLUMNS:
            endpoint[key] = str(value)
        elif key in NESTED_COLUMNS and isinstance(value, dict):
            for member, inner in value.items():
                if key == "User" and member == "UserAttributes":
                    endpoint.setdefault("User", {})["UserAttributes"] = _attribute_map(inner, "User.UserAttributes")
                elif member in NESTED_COLUMNS[key]:
                    endpoint.setdefault(key, {})[member] = inner
                else:
                    raise RowError(f"{key} has no member {member!r}")
        elif key == "Attributes":
            endpoint["Attributes"] = {**endpoint.get("Attributes", {}), **_attribute_map(value, "Attributes")}
        elif key == "Metrics" and isinstance(value, dict):
            endpoint["Metrics"] = {_attribute_name(k): _number(str(v), f"Metrics.{k}") for k, v in value.items()}
        else:
            values = value if isinstance(value, list) else [value]
            endpoint.setdefault("Attributes", {})[_attribute_name(key)] = [str(v) for v in values]
    return endpoint


def _attribute_map(value: Any, where: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise RowError(f"{where} must be an object of name → list of strings")
    return {
        _attribute_name(name): [str(v) for v in (values if isinstance(values, list) else [values])]
        for name, values in value.items()
    }


# -- row checks ---------------------------------------------------------------------------------------------------


def _accept(parsed: ParsedAudience, seen: dict[str, int], line: int, endpoint: dict[str, Any]) -> None:
    _check_endpoint(endpoint)
    endpoint_id = endpoint.get("Id") or derived_id(endpoint["ChannelType"], endpoint["Address"])
    endpoint["Id"] = endpoint_id
    key = endpoint_id.casefold()  # Pinpoint endpoint ids are case-insensitive
    if key in seen:
        parsed.rejects.append(Reject(line, endpoint_id, f"duplicate Id {endpoint_id!r} (first on line {seen[key]})"))
        return
    seen[key] = line
    parsed.endpoints.append((line, endpoint))


def _check_endpoint(endpoint: dict[str, Any]) -> None:
    channel = endpoint.get("ChannelType")
    if not channel:
        raise RowError("ChannelType is empty")
    if channel not in CHANNEL_TYPES:
        raise RowError(f"ChannelType {channel!r} is not one of {', '.join(sorted(CHANNEL_TYPES))}")
    if not endpoint.get("Address"):
        raise RowError("Address is empty")
    if channel == "EMAIL" and "@" not in endpoint["Address"]:
        raise RowError(f"Address {endpoint['Address']!r} is not an email address")
    if set(endpoint.get("Id", "")) & set("${}"):
        raise RowError(f"Id {endpoint['Id']!r} can't contain $, {{ or }}")
    opt_out = endpoint.get("OptOut")
    if opt_out is not None and opt_out not in OPT_OUT_VALUES:
        raise RowError(f"OptOut {opt_out!r} is not ALL or NONE")
    groups = [endpoint.get("Attributes") or {}, (endpoint.get("User") or {}).get("UserAttributes") or {}]
    for group in groups:
        for name, values in group.items():
            if len(values) > MAX_VALUES_PER_ATTRIBUTE:
                raise RowError(f"attribute {name} has {len(values)} values; at most {MAX_VALUES_PER_ATTRIBUTE}")
            for value in values:
                if len(value) > MAX_ATTRIBUTE_VALUE_CHARS:
                    raise RowError(
                        f"attribute {name} value is {len(value)} characters; at most {MAX_ATTRIBUTE_VALUE_CHARS}"
                    )
    size = len(json.dumps(endpoint).encode())
    if size > MAX_ENDPOINT_BYTES:
        raise RowError(f"endpoint would be {size:,} bytes; at most {MAX_ENDPOINT_BYTES:,}")
