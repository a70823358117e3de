"""The per-file report and rejects file, next to each other in S3: ``<prefix><object key>.report.json`` and
``.rejects.csv``. The intake writes them; the sender completes the report (sent, failed with reasons) when the
file's last row is done, from the ledger (``FILE#<etag>`` items), so nothing depends on one process seeing all rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from handlers.sms.ledger import Ledger
from handlers.sms.rows import Rejected

FILE_SK = "INTAKE"
ROW_SK_PREFIX = "ROW#"


def file_pk(file_id: str) -> str:
    return f"FILE#{file_id}"


def row_sk(row: int) -> str:
    return f"{ROW_SK_PREFIX}{row:09d}"


@dataclass(frozen=True)
class ReportLocation:
    bucket: str
    key: str

    @property
    def rejects_key(self) -> str:
        return self.key.removesuffix(".report.json") + ".rejects.csv"


def report_location(bucket: str, prefix: str, object_key: str) -> ReportLocation:
    return ReportLocation(bucket, f"{prefix}{object_key}.report.json")


def rejects_csv(rejected: list[Rejected]) -> bytes:
    """Rejected rows with their reason first, then the row's original fields."""
    columns: list[str] = []
    for item in rejected:
        columns += [name for name in item.values if name not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "reason", *columns])
    for item in rejected:
        writer.writerow([item.row, item.reason, *(item.values.get(name, "") for name in columns)])
    return out.getvalue().encode("utf-8")


def build_report(ledger: Ledger, file_id: str) -> dict[str, Any]:
    """The file's report from the ledger: intake counts plus each row's send outcome."""
    intake = ledger.get(file_pk(file_id), FILE_SK) or {}
    rows = ledger.query(file_pk(file_id), ROW_SK_PREFIX)
    statuses = Counter(row["status"] for row in rows)
    failures = [
        {"row": row["row"], "reason": row.get("reason"), "error": row.get("error")}
        for row in rows
        if row["status"] == "failed"
    ]
    unknown = [row["row"] for row in rows if row["status"] == "sending"]
    accepted = int(intake.get("accepted", 0))
    return {
        "file": intake.get("file"),
        "etag": file_id,
        "version_id": intake.get("version_id"),
        "status": intake.get("status", "unknown"),
        "error": intake.get("error"),
        "rows": int(intake.get("rows", 0)),
        "accepted": accepted,
        "rejected": int(intake.get("rejected", 0)),
        "sent": statuses.get("sent", 0),
        "failed": statuses.get("failed", 0),
        # Claimed by a sender that crashed before recording the outcome: never re-sent (it may have gone).
        "unknown": len(unknown),
        "unknown_rows": unknown[:1000],
        "pending": max(0, accepted - len(rows)),
        "failures": failures[:10_000],
        "failure_reasons": dict(Counter(f["reason"] for f in failures)),
    }


def write_report(s3: Any, location: ReportLocation, report: dict[str, Any]) -> None:
    s3.put_object(
        Bucket=location.bucket,
        Key=location.key,
        Body=json.dumps(report, indent=2, default=str).encode(),
        ContentType="application/json",
    )
