"""Broken raw objects of every kind, and the built lake the fault tests look into."""

from __future__ import annotations

import gzip
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from englake.project import dbt_project_dir
from englake.storage import LocalStore
from ingest.layout import RAW_PREFIXES, STREAM_NAMES, Producer, object_key
from ingest.quarantine import STAGE_SWEEP, QuarantineEntry, read_quarantine
from ingest.quarantine_listing import QuarantineRow, _row_of_model
from ingest.reader import MAX_JSON_DEPTH

END = datetime(2026, 11, 20, 12)
#: The hour the broken objects arrive in (inside the generated window, so every build reads it).
BROKEN_HOUR = datetime(2026, 11, 20, 9, 30)

#: Good records whose ids the tests look for in the built models (unique message ids).
SMS = '{{"eventType":"TEXT_DELIVERED","messageId":"fault-{kind}-{n}","eventTimestamp":1763629200000}}'


def sms_lines(kind: str, count: int) -> list[str]:
    return [SMS.format(kind=kind, n=n) for n in range(count)]


def deep_record(kind: str) -> str:
    nested = "[" * (MAX_JSON_DEPTH + 10) + "]" * (MAX_JSON_DEPTH + 10)
    return f'{{"eventType":"TEXT_DELIVERED","messageId":"fault-{kind}-deep","x":{nested}}}'


@dataclass
class Broken:
    """One broken object put into the lake: its key, its bytes, and its lines as they were meant to be."""

    kind: str
    key: str
    data: bytes
    lines: list[str] = field(default_factory=list)


def broken_objects() -> list[Broken]:
    def key(n: int, *, gz: bool = True) -> str:
        return object_key(
            RAW_PREFIXES[Producer.SMS], STREAM_NAMES[Producer.SMS], BROKEN_HOUR, gzip=gz, object_id=uuid.UUID(int=n)
        )

    cut_lines = sms_lines("truncated", 300)
    cut = gzip.compress("".join(f"{line}\n" for line in cut_lines).encode())
    utf8 = sms_lines("utf8", 3)
    deep = sms_lines("deep", 2)
    ctrl_a = sms_lines("ctrla", 2)
    padded = sms_lines("padded", 2)
    braces = (
        '{"eventType":"TEXT_DELIVERED","messageId":"fault-braces-0","context":{"note":"a}{b"}}'
        '{"eventType":"TEXT_DELIVERED","messageId":"fault-braces-1"}'
    )
    return [
        Broken("corrupt_gzip", key(1), b"\x1f\x8b\x08\x00" + b"not deflate at all" * 4, sms_lines("corrupt", 0)),
        Broken("truncated_gzip", key(2), cut[: len(cut) // 2], cut_lines),
        Broken("zero_byte_gz", key(3), b""),
        Broken(
            "plain_named_gz", key(4), "".join(f"{x}\n" for x in sms_lines("plain", 3)).encode(), sms_lines("plain", 3)
        ),
        Broken(
            "gzip_without_gz",
            key(5, gz=False),
            gzip.compress("".join(f"{x}\n" for x in sms_lines("nogz", 3)).encode()),
            sms_lines("nogz", 3),
        ),
        Broken(
            "invalid_utf8",
            key(6),
            gzip.compress(
                f"{utf8[0]}\n".encode()
                + b'{"eventType":"TEXT_DELIVERED","messageId":"fault-utf8-bad","x":"\xff\xfe"}\n'
                + "".join(f"{x}\n" for x in utf8[1:]).encode()
            ),
            [utf8[0], "(invalid UTF-8)", *utf8[1:]],
        ),
        Broken(
            "deep_json",
            key(7),
            gzip.compress(f"{deep[0]}\n{deep_record('deep')}\n{deep[1]}\n".encode()),
            [deep[0], deep_record("deep"), deep[1]],
        ),
        Broken("braces_in_string", key(8), gzip.compress(f"{braces}\n".encode()), [braces]),
        Broken(
            "ctrl_a_line",
            key(9),
            gzip.compress(
                "".join(f"{x}\n" for x in ctrl_a).encode()
                + b'{"eventType":"TEXT_DELIVERED","messageId":"fault-ctrla-bad","x":"a\x01b"}\n'
            ),
            [*ctrl_a, "(line with Ctrl-A)"],
        ),
        Broken(
            "zero_padded_gzip",
            key(10),
            gzip.compress("".join(f"{x}\n" for x in padded).encode()) + b"\x00" * 32,
            padded,
        ),
    ]


@dataclass
class BuiltLake:
    root: Path
    store: LocalStore
    objects: dict[str, Broken]
    build_output: str

    def entries(self, kind: str) -> list[QuarantineEntry]:
        """The sweep's quarantine entries for a kind's object."""
        key = self.objects[kind].key
        return [e for e in read_quarantine(self.store) if e.stage == STAGE_SWEEP and e.key == key]

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.root / "englake.duckdb"), read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()

    def model_quarantine(self) -> list[QuarantineRow]:
        with duckdb.connect(str(self.root / "englake.duckdb"), read_only=True) as connection:
            cursor = connection.execute("select * from lake_quarantine")
            columns = [d[0] for d in cursor.description]
            return [_row_of_model(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]

    def quarantined(self, kind: str) -> list[tuple[str, int | None, str]]:
        """(source, line, reason) of the lake_quarantine rows naming a kind's object."""
        key = self.objects[kind].key
        return [(r.source, r.line, r.reason) for r in self.model_quarantine() if r.source == key]

    def message_ids(self) -> set[str]:
        """The End User Messaging message ids the models turned into events."""
        rows = self.query("select distinct message_id from fct_events where message_id like 'fault-%'")
        return {row[0] for row in rows}


def duckdb_read_error(folder: Path, broken: Broken) -> str | None:
    """What DuckDB says reading the object through the models' own source definition (None: it reads)."""
    sources = yaml.safe_load((dbt_project_dir() / "models/staging/lake/_lake__sources.yml").read_text())
    template = sources["sources"][0]["config"]["meta"]["external_location"]
    path = folder / broken.key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(broken.data)
    sql = template.replace("${lake_path}", str(folder)).replace("${producer}", "sms")
    try:
        with duckdb.connect() as connection:
            connection.execute(f"select count(*) from {sql}").fetchall()
    except duckdb.Error as error:
        return str(error)
    return None


def broken_object(kind: str) -> Broken:
    (broken,) = [b for b in broken_objects() if b.kind == kind]
    return broken


def unreadable_by_duckdb(folder: Path, kind: str) -> str:
    """DuckDB's error reading a kind's object without the sweep (the defect: one object fails every model)."""
    error = duckdb_read_error(folder, broken_object(kind))
    assert error is not None, f"DuckDB reads the {kind} object: it needs no sweep rule"
    return error
