"""dbt's progress while it runs (N of M nodes, elapsed), from its structured events (``dbtRunner(callbacks=…)``).

dbt announces each finished node with a result event carrying ``index`` and ``total`` (the "1 of 160 OK created
…" log lines). ``NodeProgress`` counts them; the CLI draws a bar on a terminal and prints plain lines otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: dbt events that end a node (each carries index and total): models, tests and unit tests, seeds, snapshots,
#: functions, no-op nodes, and skipped nodes. LogStartLine (a node starting) and LogBatchResult (a microbatch) don't.
FINISHED_EVENTS = frozenset(
    {
        "LogModelResult",
        "LogTestResult",
        "LogSeedResult",
        "LogSnapshotResult",
        "LogFunctionResult",
        "LogNodeResult",
        "LogNodeNoOpResult",
        "LogFreshnessResult",
        "SkippingDetails",
    }
)


class NodeProgress:
    """A dbt callback: ``on_change(done, total, seconds)`` after each node dbt finishes."""

    def __init__(self, on_change: Callable[[int, int, float], None]) -> None:
        self.on_change = on_change
        self.started = time.monotonic()
        self.finished: set[str] = set()
        self.total = 0

    def __call__(self, event: Any) -> None:
        if event.info.name not in FINISHED_EVENTS:
            return
        data = event.data
        # A test's result calls the run's node count num_models; every other result calls it total.
        total = int(getattr(data, "num_models" if event.info.name == "LogTestResult" else "total", 0) or 0)
        if not total:
            return
        node = getattr(getattr(data, "node_info", None), "unique_id", "") or f"#{getattr(data, 'index', '')}"
        self.finished.add(node)
        self.total = max(self.total, total)
        self.on_change(len(self.finished), self.total, time.monotonic() - self.started)


class PlainProgressLines:
    """``on_change`` for a pipe, a file or cron: one line at each tenth of the nodes and at least every
    ``every_seconds`` while nodes finish, and always the last."""

    def __init__(self, emit: Callable[[str], None], label: str = "dbt build", every_seconds: float = 15.0) -> None:
        self.emit = emit
        self.label = label
        self.every_seconds = every_seconds
        self.last_tenth = 0
        self.last_seconds = 0.0

    def __call__(self, done: int, total: int, seconds: float) -> None:
        tenth = done * 10 // total
        if done == total or tenth > self.last_tenth or seconds - self.last_seconds >= self.every_seconds:
            self.last_tenth, self.last_seconds = tenth, seconds
            self.emit(f"{self.label}: {done} of {total} nodes done, {seconds:.0f} s elapsed")
