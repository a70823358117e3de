"""Segment sync benchmark: our diff + batched writer against the reference's per-endpoint GetEndpoint + UpdateEndpoint.

    python -m benchmarks.segment_sync            # 1,000,000 endpoints, 20 segments, 5% of memberships changing
    python -m benchmarks.segment_sync --quick    # 20,000 endpoints, the reference run for real on 500

Both approaches run against the same Pinpoint fake (tests/fakes/pinpoint.py) through real boto3 clients, on the same
generated data. Day 0 is seeded as already synced (fake endpoints carry day 0's lists; the snapshot holds them);
day 1 moves 5% of the memberships (half removed, as many added) and is synced for real. Our writer runs at the
documented UpdateEndpointsBatch quota (2 rps) with the fake enforcing that quota on a virtual clock: real time plus
simulated sleeps, so the run measures what 2 rps costs without waiting for it, and any request arriving too early
would be throttled (the count is printed). The reference's calls are counted analytically (2 per matching row per
run: it re-adds every member every day) and checked by running it for real on a sample.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pyarrow as pa
from botocore.config import Config

from benchmarks import machine as describe_machine
from englake.aws import client as aws_client
from englake.pinpoint_quotas import SEGMENT_ATTRIBUTE, UPDATE_ENDPOINTS_BATCH_RPS
from englake.storage import LocalStore
from segmentation.destinations.pinpoint import PinpointDestination
from segmentation.diff import compute_diff
from segmentation.guard import GuardPolicy
from segmentation.membership import ArrowMembership, validate_membership
from segmentation.ratelimit import VirtualClock
from segmentation.snapshot import SnapshotStore
from segmentation.sync import sync_segments
from tests.fakes.pinpoint import RATE_QUOTAS, PinpointFake

APP = "bench-app"
ATTRIBUTE = SEGMENT_ATTRIBUTE
#: Documented per-operation quotas the reference would run into (tests/fakes/pinpoint.py RATE_QUOTAS, current table).
REFERENCE_RPS = min(RATE_QUOTAS["GetEndpoint"], RATE_QUOTAS["UpdateEndpoint"])


class _Catalog:
    """Known endpoint ids (the benchmark hands them over instead of writing a 1M-line export)."""

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids

    def known_ids(self) -> pa.Array:
        return self.ids

    def current_values(self) -> pa.Table:
        raise AssertionError("not a first sync")


def id_width(endpoints: int) -> int:
    """Digits of the endpoint ids: 7 (ep-0000000) up to 10,000,000 endpoints, more beyond, so ids stay unique."""
    return max(7, len(str(max(endpoints - 1, 0))))


def endpoint_ids_sql(endpoints: int) -> str:
    """SELECT of every endpoint id (column ``id``), as generate names them."""
    return f"SELECT 'ep-' || lpad(i::VARCHAR, {id_width(endpoints)}, '0') AS id FROM range({endpoints}) t(i)"


def generate(con: duckdb.DuckDBPyConnection, endpoints: int, segments: int, change: float) -> None:
    """Tables day0 and day1 of (endpoint_id, segment_name); segment s holds 2%…28% of endpoints."""
    low, high = 0.02, 0.28
    # Views, not tables: at 10,000,000 endpoints the cells are 200,000,000 rows; only the memberships are stored.
    con.execute(
        f"""
        CREATE VIEW cells AS
        SELECT i, s, hash(i, s, 'member') % 1000000 < (({low} + ({high} - {low}) * s / greatest({segments} - 1, 1))
                                                     * 1000000) AS day0
        FROM range({endpoints}) a(i), range({segments}) b(s)
        """
    )
    members = con.execute("SELECT count(*) FILTER (day0), count(*) FILTER (NOT day0) FROM cells").fetchone()
    assert members is not None
    removed_share = change / 2
    added_share = change / 2 * members[0] / max(members[1], 1)
    con.execute(
        f"""
        CREATE VIEW cells1 AS SELECT i, s,
            CASE WHEN day0 THEN hash(i, s, 'remove') % 1000000 >= {removed_share * 1e6}
                 ELSE hash(i, s, 'add') % 1000000 < {added_share * 1e6} END AS day1
        FROM cells
        """
    )
    for day, table in (("day0", "cells"), ("day1", "cells1")):
        con.execute(
            f"""CREATE TABLE {day} AS SELECT 'ep-' || lpad(i::VARCHAR, {id_width(endpoints)}, '0') AS endpoint_id,
                'segment_' || lpad(s::VARCHAR, 2, '0') AS segment_name FROM {table} WHERE {day} ORDER BY ALL"""
        )


def reference_update(client: Any, endpoint_ids: Sequence[str], segment_name: str) -> None:
    """The reference's UpdateEndpointsLambda: for each result row, GetEndpoint, prepend, UpdateEndpoint."""
    for endpoint_id in endpoint_ids:
        endpoint = client.get_endpoint(ApplicationId=APP, EndpointId=endpoint_id)["EndpointResponse"]
        values = [segment_name, *endpoint.get("Attributes", {}).get(ATTRIBUTE, [])]
        client.update_endpoint(
            ApplicationId=APP, EndpointId=endpoint_id, EndpointRequest={"Attributes": {ATTRIBUTE: values}}
        )


def machine() -> str:
    return describe_machine("duckdb", "pyarrow", "boto3")


def run(endpoints: int, segments: int, change: float, sample: int) -> list[tuple[str, str, str, str]]:
    # Requests are signed before the fake answers them: sign with dummy keys, never with real ones.
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench"})
    os.environ.pop("AWS_PROFILE", None)
    con = duckdb.connect()
    started = time.perf_counter()
    generate(con, endpoints, segments, change)
    day1 = con.sql("SELECT * FROM day1").to_arrow_table()
    generate_s = time.perf_counter() - started
    ids = con.sql(endpoint_ids_sql(endpoints)).to_arrow_table()
    known = ids.column(0).combine_chunks()
    desired0 = con.sql(
        "SELECT endpoint_id, list_sort(list(segment_name)) AS segments FROM day0 GROUP BY 1"
    ).to_arrow_table()

    # The state after day 0's sync: fake endpoints carry their lists, the snapshot holds them.
    clock = VirtualClock()
    fake = PinpointFake(clock=clock.now)
    fake.add_app(APP)
    lists = dict(zip(desired0.column(0).to_pylist(), desired0.column(1).to_pylist(), strict=True))
    store_endpoints = fake.apps[APP]
    for endpoint_id in known.to_pylist():
        endpoint = {"ApplicationId": APP, "Id": endpoint_id, "ChannelType": "EMAIL", "OptOut": "NONE"}
        if endpoint_id in lists:
            endpoint["Attributes"] = {ATTRIBUTE: lists[endpoint_id]}
        store_endpoints[endpoint_id.casefold()] = endpoint
    lake = Path(tempfile.mkdtemp(prefix="englake-bench-"))
    store = LocalStore(lake)
    client = fake.attach(aws_client("pinpoint", region="us-east-1"))
    destination = PinpointDestination(
        client, APP, _Catalog(known), rate=UPDATE_ENDPOINTS_BATCH_RPS, clock=clock.now, sleep=clock.sleep
    )
    SnapshotStore(store, destination.id).commit("00000000T000000Z-seed", desired0)

    # The diff alone (validated membership + snapshot + known ids → changes), best of 3.
    validated = validate_membership(day1, "day1")
    diff_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        diff = compute_diff(validated, desired0, known, 50)
        diff_times.append(time.perf_counter() - t0)
    assert diff.changed > 0
    diff_s = min(diff_times)

    # Our sync, for real.
    t0 = time.perf_counter()
    report = sync_segments(ArrowMembership(day1, "day1"), destination, store, policy=GuardPolicy(max_removal_share=0.2))
    sync_real_s = time.perf_counter() - t0
    write_virtual_s = report.write_seconds + report.throttle_wait_seconds
    # Requests sent ÷ requests the quota allowed in the write window (one at its start, then 2 per second).
    busy = report.api_calls / (1 + UPDATE_ENDPOINTS_BATCH_RPS * write_virtual_s)

    # Check every endpoint against day 1.
    want = dict(con.sql("SELECT endpoint_id, list_sort(list(segment_name)) FROM day1 GROUP BY 1").fetchall())
    wrong = sum(1 for e in store_endpoints.values() if e.get("Attributes", {}).get(ATTRIBUTE) != want.get(e["Id"]))

    # The reference on a sample: its own fake (quotas off), the same endpoints and day-1 rows.
    memberships1 = day1.num_rows
    sample_ids = known.to_pylist()[:sample]
    ref_fake = PinpointFake(enforce_quotas=False)
    ref_fake.add_app(APP)
    for endpoint_id in sample_ids:
        ref_fake.put_endpoint(APP, {"Id": endpoint_id, "ChannelType": "EMAIL"})
    ref_client = ref_fake.attach(
        boto3.client("pinpoint", region_name="us-east-1", config=Config(retries={"mode": "standard"}))
    )
    rows = con.sql(
        f"SELECT segment_name, list(endpoint_id ORDER BY endpoint_id) FROM day1 "
        f"WHERE endpoint_id < 'ep-{sample:0{id_width(endpoints)}d}' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    sample_rows = sum(len(e) for _, e in rows)
    t0 = time.perf_counter()
    for segment_name, endpoint_ids in rows:
        reference_update(ref_client, endpoint_ids, segment_name)
    ref_sample_s = time.perf_counter() - t0
    ref_sample_calls = len(ref_fake.calls)
    assert ref_sample_calls == 2 * sample_rows, (ref_sample_calls, sample_rows)
    ref_calls = 2 * memberships1
    ref_real_s = ref_sample_s / max(ref_sample_calls, 1) * ref_calls
    ref_quota_s = memberships1 / REFERENCE_RPS  # one GetEndpoint + one UpdateEndpoint per row, each ≤ 10 rps

    ours_quota_s = report.api_calls / UPDATE_ENDPOINTS_BATCH_RPS
    first_calls = -(-desired0.num_rows // 100)  # a first sync writes every member, 100 per request
    memberships0 = int(con.sql("SELECT count(*) FROM day0").fetchall()[0][0])
    ratio = ref_calls / max(report.api_calls, 1)
    shutil.rmtree(lake, ignore_errors=True)  # the snapshot's folder: nothing else reads it
    return [
        ("data", f"{endpoints:,} endpoints × {segments} segments", f"{memberships1:,} memberships on day 1", ""),
        ("memberships changed day 0 → 1", f"+{report.memberships_added:,} / −{report.memberships_removed:,}", "", ""),
        ("endpoints whose set changed", f"{report.to_write:,}", f"{memberships1:,} rows rewritten", ""),
        (
            "API calls per daily run",
            f"{report.api_calls:,} UpdateEndpointsBatch",
            f"{ref_calls:,} Get+UpdateEndpoint",
            f"{ratio:,.0f}× fewer",
        ),
        (
            "first sync, all members (analytic)",
            f"{first_calls:,} calls, {first_calls / UPDATE_ENDPOINTS_BATCH_RPS / 60:,.0f} min",
            f"{2 * memberships0:,} calls, {memberships0 / REFERENCE_RPS / 3600:,.1f} h",
            "",
        ),
        ("diff time (best of 3)", f"{diff_s:.2f} s", "none (no diff)", ""),
        ("sync wall time here (virtual 2 rps)", f"{sync_real_s:.1f} s", f"{ref_real_s:,.0f} s (extrapolated)", ""),
        (
            "time at documented quotas",
            f"{ours_quota_s / 60:,.1f} min @ 2 rps",
            f"{ref_quota_s / 3600:,.1f} h @ 10 rps",
            f"{ref_quota_s / max(ours_quota_s, 1e-9):,.0f}× faster",
        ),
        ("quota busy while writing (virtual clock)", f"{busy:.1%}", "", ""),
        ("429s from the fake / SDK retries", f"{fake.throttled_count} / {report.retries}", "", ""),
        ("endpoints wrong after the run", f"{wrong:,} of {endpoints:,}", "appends duplicates, never removes", ""),
        (
            "reference count check (sample)",
            "",
            f"{ref_sample_calls:,} calls = 2 × {sample_rows:,} rows ✓",
            f"{ref_sample_s:.1f} s",
        ),
        ("data generation", f"{generate_s:.1f} s", "", ""),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoints", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=20)
    parser.add_argument("--change", type=float, default=0.05, help="share of memberships that change")
    parser.add_argument(
        "--sample", type=int, default=None, help="endpoints the reference runs on for real (2,000; --quick 500)"
    )
    parser.add_argument("--quick", action="store_true", help="20,000 endpoints, the reference on 500")
    args = parser.parse_args(argv)
    endpoints = 20_000 if args.quick else args.endpoints
    sample = args.sample or (500 if args.quick else 2_000)
    rows = run(endpoints, args.segments, args.change, min(sample, endpoints))
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Segment sync vs the reference (Pinpoint fake, real boto3 clients)", header_style="bold")
    for name in ("", "ours", "reference", "ratio"):
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    console.print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
