"""The run report: what a sync found and did, kept beside the snapshot (runs/<run_id>.json).

Plain data: the sync Lambda builds and stores it without rich; the CLI renders it (segmentation/report_view.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Example ids kept per category in the report (the counts are exact).
EXAMPLES = 20


@dataclass
class SyncReport:
    run_id: str
    destination: str
    membership_source: str
    started_at: str
    dry_run: bool = False
    forced: bool = False
    status: str = "running"  # running | dry-run | succeeded | partial | incomplete | guard-tripped
    duration_seconds: float = 0.0
    diff_seconds: float = 0.0
    write_seconds: float = 0.0
    endpoints_in_membership: int = 0
    memberships: int = 0
    endpoints_added: int = 0
    endpoints_removed: int = 0
    endpoints_cleared: int = 0
    endpoints_unchanged: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0
    to_write: int = 0
    written: int = 0
    rejected: int = 0
    failed: int = 0
    not_sent: int = 0
    unknown_endpoints: int = 0
    vanished_endpoints: int = 0
    api_calls: int = 0
    retries: int = 0
    throttle_wait_seconds: float = 0.0
    guard: list[str] = field(default_factory=list)
    rejected_examples: list[dict[str, str]] = field(default_factory=list)
    failed_examples: list[dict[str, str]] = field(default_factory=list)
    unknown_examples: list[str] = field(default_factory=list)
    change_examples: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SyncReport:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "dry-run")
