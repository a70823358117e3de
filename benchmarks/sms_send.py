"""SMS file-drop benchmark: 100,000 rows through the intake and the paced sender, against the End User Messaging fake.

    python -m benchmarks.sms_send            # 100,000 rows over four origination identities
    python -m benchmarks.sms_send --quick    # 5,000 rows

A CSV is generated (mixed lengths: one to three parts, some UCS-2) for four origination identities of different
number types: a US short code (100 MPS), a US toll-free number (3 MPS), a US 10DLC number (1 MPS) and a UK long code
(10 MPS) — the documented defaults (handlers/sms/pacing.py, MPS_URL). The intake (handlers/sms/filedrop.py) reads and
validates it as it would from S3 (a local folder answers the two S3 calls) into an in-process queue instead of SQS,
with the SQLite ledger. Each identity's rows are then sent (handlers/sms/sender.py) through a real boto3 client whose
requests the fake answers (tests/fakes/sms_voice_v2.py); the fake throttles any identity that goes faster than its
MPS. Each identity runs on its own virtual clock (real time plus simulated sleeps), as each is its own FIFO message
group in production: the observed rate is message parts per virtual second, compared with the permitted rate.
Lost rows = accepted rows that are neither sent nor recorded as failed in the ledger (must be 0).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import boto3
from botocore.config import Config

from benchmarks import machine as describe_machine
from handlers.sms.filedrop import ListQueue, LocalBucket, S3Object, intake_object
from handlers.sms.ledger import SqliteLedger
from handlers.sms.pacing import HEADROOM, Pacer, documented_mps
from handlers.sms.report import build_report
from handlers.sms.sender import SendOptions, identity_rates, send_rows
from segmentation.ratelimit import VirtualClock
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake

#: (identity, NumberType, ISO country, share of rows)
IDENTITIES = [
    ("12345", "SHORT_CODE", "US", 0.70),
    ("+18445550100", "TOLL_FREE", "US", 0.15),
    ("+12065550152", "TEN_DLC", "US", 0.10),
    ("+447700900123", "LONG_CODE", "GB", 0.05),
]
BODIES = [
    "Your order has shipped.",
    "Reminder: your appointment is tomorrow at 10:00. Reply STOP to opt out. " * 2,  # 2 parts
    "Spring sale! " * 30,  # 3 parts (GSM)
    "Ihre Bestellung wurde versandt. Danke schön ✓",  # UCS-2, 1 part
]


class _SwitchedClock:
    """The fake and the pacer read the clock of the identity being sent (each identity is its own FIFO group)."""

    def __init__(self) -> None:
        self.current = VirtualClock()

    def now(self) -> float:
        return self.current.now()

    def sleep(self, seconds: float) -> None:
        self.current.sleep(seconds)


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    weights = [share for *_, share in IDENTITIES]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("destination_phone_number,message,campaign_id,origination_identity,order_ref\r\n")
        for n in range(rows):
            identity = rng.choices(IDENTITIES, weights)[0][0]
            body = rng.choice(BODIES).replace('"', '""')
            out.write(f'+1425{n:07d},"{body}",bench,{identity},o-{n}\r\n')


def run(rows: int) -> tuple[list[list[str]], dict[str, float]]:
    clock = _SwitchedClock()
    fake = SmsVoiceV2Fake(clock=clock.now)
    for identity, number_type, country, _ in IDENTITIES:
        fake.add_phone_number(identity, number_type, iso_country=country)
    client = fake.attach(
        boto3.client(
            "pinpoint-sms-voice-v2",
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
    )
    ledger = SqliteLedger(":memory:")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "files" / "bench.csv"
        path.parent.mkdir()
        write_file(path, rows)
        queue = ListQueue()
        started = time.perf_counter()
        intake = intake_object(
            S3Object(folder, "files/bench.csv", ""),
            s3=LocalBucket(folder),
            queue=queue,
            ledger=ledger,
            report_prefix="sms-reports/",
        )
        intake_seconds = time.perf_counter() - started
    groups = defaultdict(list)
    for row in queue.rows:
        groups[row.origination].append(row)
    pacer = Pacer(identity_rates(client), clock=clock.now, sleep=clock.sleep)
    table = []
    wall = time.perf_counter()
    for identity, number_type, country, _ in IDENTITIES:
        clock.current = VirtualClock()
        group = groups[identity]
        start = clock.now()
        outcomes = send_rows(group, sms_client=client, ledger=ledger, pacer=pacer, options=SendOptions())
        elapsed = clock.now() - start
        parts = sum(o.row.parts for o in outcomes if o.status == "sent")
        permitted = documented_mps(number_type, country)
        observed = parts / elapsed if elapsed else 0.0
        throttled = sum(
            1
            for c in fake.calls
            if c.operation == "SendTextMessage" and c.status != 200 and c.params.get("OriginationIdentity") == identity
        )
        table.append(
            [
                f"{number_type} ({country})",
                f"{len(group):,}",
                f"{parts:,}",
                f"{elapsed:,.0f}",
                f"{permitted:g}",
                f"{observed:.2f}",
                f"{observed / permitted:.1%}",
                f"{throttled:,}",
            ]
        )
    wall = time.perf_counter() - wall
    report = build_report(ledger, intake.file_id)
    lost = report["accepted"] - report["sent"] - report["failed"]
    totals = {
        "rows": rows,
        "accepted": report["accepted"],
        "rejected": report["rejected"],
        "sent": report["sent"],
        "failed": report["failed"],
        "lost": lost,
        "intake_seconds": intake_seconds,
        "send_wall_seconds": wall,
    }
    return table, totals


def machine() -> str:
    return describe_machine("boto3", "phonenumbers")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 rows")
    args = parser.parse_args(argv)
    table_rows, totals = run(5_000 if args.quick else args.rows)
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"SMS file drop: {totals['rows']:,} rows, paced sends against the End User Messaging fake "
        f"(virtual clock per identity, pacer headroom {HEADROOM:.0%})",
        header_style="bold",
    )
    for name in (
        "origination",
        "rows",
        "parts",
        "virtual s",
        "permitted MPS",
        "observed MPS",
        "of permitted",
        "throttled",
    ):
        table.add_column(name, justify="left" if name == "origination" else "right")
    for row in table_rows:
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    console.print(
        f"accepted {totals['accepted']:,}, rejected {totals['rejected']:,}, sent {totals['sent']:,}, "
        f"failed {totals['failed']:,}, lost {totals['lost']:,}; intake {totals['intake_seconds']:.1f} s "
        f"({totals['rows'] / totals['intake_seconds']:,.0f} rows/s), sending {totals['send_wall_seconds']:.0f} s wall"
    )
    console.print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
