"""Campaign hook benchmark: the FILTER hook at 10,000 endpoints per invocation with a slow provider.

    python -m benchmarks.hooks            # 10,000 endpoints per invocation, 3 invocations per scenario
    python -m benchmarks.hooks --quick    # 1,000 endpoints

The provider is a real HTTP service on 127.0.0.1 in its own process (benchmarks/_hooks_server.py): every answer
takes ``--delay`` seconds (default 0.02), 1% of the keys hang for 30 s and 1% answer garbage. The hook runs as
Lambda runs it (``apply_filter``: personalise with cache, budget and concurrency, then the response-size guard) with
the default 8 s budget and at most ``--call-seconds`` (1 s) per request. A *failed batch* is an invocation that
raised, lost an endpoint, or overran its budget by more than a second.
Pinpoint itself sends at most 50 endpoints per invocation; 10,000 is the load a sender of its own would put on
``personalise`` in one call.

The reference's approach (one synchronous call per endpoint, no budget, no cache) is timed on a sample of
endpoints that never hang and extrapolated linearly; with one hanging key it never finishes at all.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import urllib3

from benchmarks import machine as describe_machine
from handlers.hooks.cache import TtlCache
from handlers.hooks.filter_hook import HookScope, apply_filter
from handlers.hooks.models import HookEvent
from handlers.hooks.personalise import FAILURE_REASONS, Budget
from handlers.hooks.providers.http import HttpProvider
from handlers.hooks.providers.lookup import DuckDBRunner, LookupTableProvider

FALLBACK = {"Offer": ["our standard offer"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _endpoint_id(i: int) -> str:
    return f"ep-{i:06d}" + ("-hang" if i % 100 == 7 else "-garbage" if i % 100 == 42 else "")


def _event(n: int) -> HookEvent:
    endpoints: dict[str, Any] = {}
    for i in range(n):
        endpoints[_endpoint_id(i)] = {
            "ChannelType": "EMAIL",
            "Address": f"person{i}@example.com",
            "EndpointStatus": "ACTIVE",
            "OptOut": "NONE",
            "EffectiveDate": "2026-11-30T10:00:00.000Z",
            "User": {"UserId": f"user-{i}", "UserAttributes": {"FirstName": [f"Name{i}"]}},
            **({"Attributes": {"AddressType": ["primary"]}} if i % 10 else {}),  # every tenth has no Attributes
        }
    return HookEvent.model_validate(
        {
            "ApplicationId": "bench-app",
            "CampaignId": "bench-campaign",
            "TreatmentId": "0",
            "ActivityId": "bench-activity",
            "ScheduledTime": "2026-11-30T10:00:00.000Z",
            "Endpoints": endpoints,
        }
    )


def _invoke(event: HookEvent, provider: Any, budget: Budget, cache: TtlCache[Any]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = apply_filter(event, provider, HookScope(frozenset({"*"})), budget, cache)
    except Exception as error:  # noqa: BLE001 - a failed batch is what we count
        return {"seconds": time.monotonic() - started, "failed": True, "error": repr(error)}
    seconds = time.monotonic() - started
    assert result.personalisation is not None
    counts = result.personalisation.counts
    return {
        "seconds": seconds,
        "failed": seconds > budget.seconds + 1 or len(result.response) != len(event.endpoints),
        "provided": counts["provided"] + counts["cached"],
        "timeout": counts["timeout"],
        "invalid": counts["invalid_response"] + counts["oversized"],
        "failures": sum(v for k, v in counts.items() if k in FAILURE_REASONS) + len(result.resized),
        "bytes": len(json.dumps(result.response).encode()),
    }


def _reference_seconds(url: str, sample: int) -> float:
    """One synchronous GET per endpoint, no budget: the reference's shape, on keys that do not hang."""
    pool = urllib3.PoolManager(retries=False)
    keys = [f"ep-{i:06d}" for i in range(sample)]
    started = time.monotonic()
    for key in keys:
        pool.request("GET", url.replace("{key}", key)).data  # noqa: B018 - read the body like a client would
    return time.monotonic() - started


def run(
    n: int, invocations: int, delay: float, concurrency: int, budget_seconds: float, call_seconds: float
) -> list[list[str]]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._hooks_server", str(port), str(delay)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        url = f"http://127.0.0.1:{port}/attributes/{{key}}"
        event = _event(n)
        budget = Budget(seconds=budget_seconds, concurrency=concurrency, call_seconds=call_seconds, fallback=FALLBACK)
        rows: list[list[str]] = []

        def scenario(name: str, runs: list[dict[str, Any]], calls: str) -> None:
            seconds = [r["seconds"] for r in runs]
            ok = [r for r in runs if not r.get("error")]
            rows.append(
                [
                    name,
                    f"{n:,}",
                    calls,
                    f"{min(seconds):.2f}–{max(seconds):.2f} s" if len(seconds) > 1 else f"{seconds[0]:.2f} s",
                    f"{sum(r['provided'] for r in ok) // max(1, len(ok)):,}",
                    f"{sum(r['failures'] for r in ok) // max(1, len(ok)):,}",
                    f"{sum(r['failed'] for r in runs)} of {len(runs)}",
                    f"{max(r.get('bytes', 0) for r in runs) / 1e6:.2f} MB",
                ]
            )

        cold = []
        for _ in range(invocations):
            provider = HttpProvider(url, pool_size=concurrency)
            cold.append(_invoke(event, provider, budget, TtlCache(ttl_seconds=300)))
        scenario(f"HTTP provider, {delay * 1000:.0f} ms/answer, cold cache", cold, "1 per key")

        cache: TtlCache[Any] = TtlCache(ttl_seconds=300)
        provider = HttpProvider(url, pool_size=concurrency)
        _invoke(event, provider, budget, cache)
        warm = [_invoke(event, provider, budget, cache) for _ in range(invocations)]
        scenario("same, warm cache (next invocations)", warm, "only uncached")

        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "offers.duckdb")
            with duckdb.connect(db) as con:
                con.execute(
                    "create table endpoint_offers as select 'ep-' || lpad(i::varchar, 6, '0') as endpoint_id, "
                    "'offer ' || i as offer from range(?) t(i)",
                    [n * 10],
                )
            lookup = [
                _invoke(event, LookupTableProvider(DuckDBRunner(db), "endpoint_offers"), budget, TtlCache())
                for _ in range(invocations)
            ]
        scenario("lookup table (DuckDB, preloaded), cold", lookup, "1 query")

        sample = min(200, n)
        per_call = _reference_seconds(url, sample) / sample
        rows.append(
            [
                "reference: 1 sync call/endpoint, no budget",
                f"{n:,}",
                "1 per endpoint",
                f"≈ {per_call * n:,.0f} s (from {sample}; ∞ with a hung call)",
                "–",
                "–",
                "every one (15 s limit)",
                "–",
            ]
        )
        return rows
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 endpoints per invocation")
    parser.add_argument("--endpoints", type=int, default=None)
    parser.add_argument("--invocations", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per provider answer")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--budget", type=float, default=8.0)
    parser.add_argument("--call-seconds", type=float, default=1.0, help="cap on one provider request")
    args = parser.parse_args(argv)
    n = args.endpoints or (1_000 if args.quick else 10_000)
    rows = run(n, args.invocations, args.delay, args.concurrency, args.budget, args.call_seconds)
    print(
        f"\nFILTER hook, {n:,} endpoints per invocation, budget {args.budget:g} s (1 request at most "
        f"{args.call_seconds:g} s), concurrency {args.concurrency}; provider: {args.delay * 1000:.0f} ms per answer, "
        "1% of keys hang 30 s, 1% answer garbage"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {describe_machine('duckdb', 'urllib3')}; load average {load} (shared machine)\n")
    header = [
        "scenario",
        "endpoints",
        "provider calls",
        "time per invocation",
        "provided",
        "fallbacks (failures)",
        "failed batches",
        "response",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
