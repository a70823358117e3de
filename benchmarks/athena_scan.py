"""Athena cost: the bytes one hourly incremental run scans, on a generated lake of a stated size.

    python -m benchmarks.athena_scan            # 1,000,000 events over 30 days
    python -m benchmarks.athena_scan --quick    # 20,000 events over 7 days

Athena bills the bytes it reads from S3. No Athena runs here, so each read of the hourly run is sized from the data:
- the raw Firehose objects: the gzip bytes of every object in the partitions the run selects (datehour at or after
  the newest hour minus englake__lookback_hours; Athena reads a gzip text object whole);
- the Iceberg tables: each model's DuckDB build written as Parquet (zstd), one folder per day partition as the
  model's Athena config partitions it, and the compressed column chunks summed for the columns the statement names
  in the day partitions it can prune to (every column for the raw records the staging views parse). Athena also
  skips row groups by min/max statistics, so a table's figure is an upper bound of what it reads there.
The run modelled is the one after the newest hour landed, with everything before it built.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import sqlglot
import yaml
from sqlglot import exp

from benchmarks import machine as describe_machine
from englake.dbt import PROJECT_DIR, target_dir
from englake.settings import Settings
from englake.storage import LocalStore
from englake.trino.check import build_duckdb
from ingest.generator import GeneratorConfig, generate_lake

_DATEHOUR = re.compile(r"/(\d{4}/\d{2}/\d{2}/\d{2})/")
#: Each incremental model's Iceberg partition column (day(...)), as macros/lake/incremental.sql is called.
PARTITION_COLUMN = {
    "stg_lake__records": "ingested_at",
    "fct_events": "ingested_at",
    "fct_messages": "last_ingested_at",
    "email_status": "last_ingested_at",
    "sms_status": "last_ingested_at",
    "mms_status": "last_ingested_at",
    "voice_status": "last_ingested_at",
    "rcs_status": "last_ingested_at",
    "whatsapp_status": "last_ingested_at",
    "rpt_campaign_performance_daily": "sent_date",
}
MESSAGE_MARTS = ["fct_messages", "email_status", "sms_status", "mms_status", "voice_status", "rcs_status",
                 "whatsapp_status"]  # fmt: skip
KEYS = {"fct_messages": "message_recipient_id", "email_status": "message_id"}


@dataclass(frozen=True)
class Read:
    """One read of the hourly run: what it reads and how many bytes."""

    statement: str
    reads: str
    bytes: int


def lookback_hours() -> int:
    """englake__lookback_hours as dbt_project.yml sets it."""
    return int(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["englake__lookback_hours"])


class ParquetSizes:
    """A built table as Parquet, one folder per day partition: compressed bytes by (day, column)."""

    def __init__(self, db: duckdb.DuckDBPyConnection, table: str, column: str, folder: Path) -> None:
        self.sizes: dict[tuple[str, str], int] = defaultdict(int)
        self.columns: set[str] = set()
        if db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0:  # type: ignore[index]
            return  # a channel the lake does not have: nothing stored, nothing read
        folder.mkdir(parents=True, exist_ok=True)
        db.execute(
            f"COPY (SELECT *, CAST({column} AS DATE) AS __day FROM {table}) TO '{folder}' "
            "(FORMAT parquet, PARTITION_BY (__day), COMPRESSION zstd, OVERWRITE_OR_IGNORE)"
        )
        rows = db.execute(
            "SELECT file_name, path_in_schema, sum(total_compressed_size) FROM parquet_metadata(?) GROUP BY ALL",
            [f"{folder}/**/*.parquet"],
        ).fetchall()
        for file_name, path, size in rows:
            day = re.search(r"__day=([0-9-]+)", file_name).group(1)  # type: ignore[union-attr]
            self.sizes[(day, re.split(r"[.,]", str(path))[0].strip().lower())] += int(size)
        self.columns = {column for _, column in self.sizes}

    def bytes(self, columns: set[str] | None = None, since_day: str | None = None) -> int:
        wanted = self.columns if columns is None else columns & self.columns
        return sum(
            size
            for (day, column), size in self.sizes.items()
            if column in wanted and (not since_day or day >= since_day)
        )


def named_columns(model: str) -> set[str]:
    """The column names a model's compiled SQL mentions. Trino reads only the columns a query uses, through any
    ``select *`` of a CTE, so these (where they are the table's) are the columns it reads from its inputs."""
    sql = next((target_dir() / "compiled" / "englake" / "models").rglob(f"{model}.sql")).read_text()
    return {column.name.lower() for column in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)}


def run(events: int, days: int, seed: int, workdir: Path, say) -> tuple[str, list[Read]]:
    store = LocalStore(workdir / "lake")
    say(f"generating {events:,} events over {days} days")
    generate_lake(GeneratorConfig(seed=seed, events=events, days=days), store)
    settings = Settings(lake_root=str(workdir / "lake"))
    say("building the models it sizes, and their parents, on DuckDB")
    build = build_duckdb(settings, workdir / "englake.duckdb", select=[f"+{model}" for model in PARTITION_COLUMN])

    raw = [(path, path.stat().st_size) for path in (workdir / "lake" / "raw").rglob("*") if path.is_file()]
    hours = {m.group(1) for path, _ in raw if (m := _DATEHOUR.search(str(path)))}
    newest = datetime.strptime(max(hours), "%Y/%m/%d/%H")
    since = newest - timedelta(hours=lookback_hours())
    since_hour, since_day = since.strftime("%Y/%m/%d/%H"), since.strftime("%Y-%m-%d")
    raw_read = sum(size for path, size in raw if (m := _DATEHOUR.search(str(path))) and m.group(1) >= since_hour)
    raw_total = sum(size for _, size in raw)

    say("sizing the Iceberg reads")
    reads = [Read("stg_lake__records", f"raw objects, datehour >= {since_hour}", raw_read)]
    with duckdb.connect(str(build), read_only=True) as db:
        tables = {
            name: ParquetSizes(db, name, column, workdir / "parquet" / name)
            for name, column in PARTITION_COLUMN.items()
        }
        reads.append(
            Read("stg_lake__records", f"its record_id, days >= {since_day}",
                 tables["stg_lake__records"].bytes({"record_id", "ingested_at", "datehour"}, since_day))
        )  # fmt: skip
        reads.append(
            Read("fct_events", f"stg_lake__records (parsed by the staging views), days >= {since_day}",
                 tables["stg_lake__records"].bytes(None, since_day))
        )  # fmt: skip
        reads.append(Read("fct_events", "its event_id, every day", tables["fct_events"].bytes({"event_id"})))
        for mart in MESSAGE_MARTS:
            message = "messageid" if mart.endswith("_status") and mart != "email_status" else "message_id"
            events_bound = db.execute(
                f"SELECT CAST(least(coalesce(min(first_ingested_at), ?), ?) AS DATE) FROM {mart} WHERE {message} IN "
                "(SELECT message_id FROM fct_events WHERE ingested_at >= ?)",
                [since, since, since],
            ).fetchone()[0]
            reads.append(
                Read(mart, f"its {message}, first_ingested_at every day; fct_events' message_id days >= {since_day}",
                     tables[mart].bytes({message, "first_ingested_at"})
                     + tables["fct_events"].bytes({"message_id", "ingested_at"}, since_day))
            )  # fmt: skip
            reads.append(
                Read(mart, f"fct_events, the columns it names, days >= {events_bound} (changed messages' events)",
                     tables["fct_events"].bytes(named_columns(mart), str(events_bound)))
            )  # fmt: skip
            key = KEYS.get(mart, "messageid")
            bound = db.execute(
                f"SELECT CAST(min(first_ingested_at) AS DATE) FROM {mart} WHERE last_ingested_at >= ?", [since]
            ).fetchone()[0]
            if bound is not None:
                reads.append(
                    Read(mart, f"MERGE target: key, days >= {bound} (dynamic filter)",
                         tables[mart].bytes({key, "last_ingested_at"}, str(bound)))
                )  # fmt: skip
        report = "rpt_campaign_performance_daily"
        bound = db.execute(
            "SELECT min(sent_date) FROM fct_messages WHERE last_ingested_at >= ? AND campaign_id IS NOT NULL", [since]
        ).fetchone()[0]
        reads.append(
            Read(
                report,
                "fct_messages, the columns it names, every day",
                tables["fct_messages"].bytes(named_columns(report)),
            )
        )
        if bound is not None:
            reads.append(
                Read(
                    report,
                    f"its own rows, days >= {bound} (the pre-hook's DELETE)",
                    tables[report].bytes(None, str(bound)),
                )
            )
        iceberg_total = sum(t.bytes() for t in tables.values())
    lake = (
        f"{events:,} events over {days} days: {raw_total / 2**20:,.1f} MiB of raw gzip objects in {len(hours):,} "
        f"hours; the models' Iceberg tables {iceberg_total / 2**20:,.1f} MiB as Parquet (zstd); lookback "
        f"{lookback_hours()} h"
    )
    return lake, reads


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="20,000 events over 7 days")
    args = parser.parse_args(argv)
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    workdir = Path(tempfile.mkdtemp(prefix="englake-bench-athena-scan-"))
    events, days = (20_000, 7) if args.quick else (args.events, args.days)
    try:
        lake, reads = run(events, days, args.seed, workdir, lambda t: console.print(f"[dim]… {t}"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    table = Table(title=f"Athena bytes scanned by one hourly run — {lake}", header_style="bold")
    table.add_column("statement")
    table.add_column("reads")
    table.add_column("MiB", justify="right")
    for read in reads:
        table.add_row(read.statement, read.reads, f"{read.bytes / 2**20:,.2f}")
    raw = sum(r.bytes for r in reads if r.reads.startswith("raw"))
    total = sum(r.bytes for r in reads)
    table.add_row("[bold]hourly run", f"raw {raw / 2**20:,.2f} MiB + Iceberg {(total - raw) / 2**20:,.2f} MiB",
                  f"[bold]{total / 2**20:,.2f}")  # fmt: skip
    console.print(table)
    console.print(f"machine: {describe_machine('duckdb', 'dbt-core')}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
