"""The run report: what a sync found and did, printed as a table and kept beside the snapshot (runs/<run_id>.json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Group
from rich.table import Table

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

    def summary_table(self) -> Table:
        title = "Segment sync — dry run (nothing written)" if self.dry_run else "Segment sync"
        table = Table(title=f"{title}: {self.destination}", show_header=True, header_style="bold")
        table.add_column("", style="bold")
        table.add_column("endpoints", justify="right")
        table.add_column("memberships", justify="right")
        table.add_row("in segments now", f"{self.endpoints_in_membership:,}", f"{self.memberships:,}")
        table.add_row("added to a segment", f"{self.endpoints_added:,}", f"{self.memberships_added:,}")
        table.add_row("removed from a segment", f"{self.endpoints_removed:,}", f"{self.memberships_removed:,}")
        table.add_row("  of which removed from all", f"{self.endpoints_cleared:,}", "")
        table.add_row("unchanged", f"{self.endpoints_unchanged:,}", "")
        table.add_row(
            "to write" if self.dry_run else "written (accepted)",
            f"{self.written if not self.dry_run else self.to_write:,}",
            "",
        )
        table.add_row("rejected", f"{self.rejected:,}", "")
        table.add_row("failed (retried next run)", f"{self.failed:,}", "")
        if self.not_sent:
            table.add_row("not sent (time budget; next run)", f"{self.not_sent:,}", "")
        table.add_row("unknown ids (not written)", f"{self.unknown_endpoints:,}", "")
        table.add_row("API calls (+ SDK retries)", f"{self.api_calls:,} (+{self.retries:,})", "")
        table.add_row("duration", f"{self.duration_seconds:.2f} s (diff {self.diff_seconds:.2f} s)", "")
        table.add_row("status", self.status, "")
        return table

    def segments_table(self) -> Table:
        table = Table(title="Per segment", header_style="bold")
        for name in ("segment", "before", "after", "added", "removed"):
            table.add_column(name, justify="left" if name == "segment" else "right")
        for row in self.segments:
            table.add_row(
                row["segment"], f"{row['before']:,}", f"{row['after']:,}", f"{row['added']:,}", f"{row['removed']:,}"
            )
        return table

    def changes_table(self) -> Table:
        table = Table(title=f"Changes (first {len(self.change_examples)} of {self.to_write:,})", header_style="bold")
        for name in ("endpoint", "before", "after"):
            table.add_column(name)
        for row in self.change_examples:
            before = "(unknown: rewritten)" if row["before"] is None else ", ".join(row["before"]) or "—"
            table.add_row(row["endpoint_id"], before, ", ".join(row["after"]) or "— (removed from all)")
        return table

    def problems_table(self) -> Table | None:
        rows = [("rejected", r["endpoint_id"], r["reason"]) for r in self.rejected_examples]
        rows += [("failed", r["endpoint_id"], r["reason"]) for r in self.failed_examples]
        rows += [("unknown", e, "endpoint id not in the destination; not written") for e in self.unknown_examples]
        if not rows and not self.guard:
            return None
        table = Table(title="Problems (examples)", header_style="bold")
        for name in ("kind", "endpoint", "reason"):
            table.add_column(name)
        for rule in self.guard:
            table.add_row("guard (forced)" if self.forced else "guard", "", rule)
        for row in rows:
            table.add_row(*row)
        return table

    def renderable(self, changes: bool | None = None) -> Group:
        """Summary, per-segment table, problems; the change preview too on a dry run (or when ``changes``)."""
        parts: list[Any] = [self.summary_table()]
        if self.segments:
            parts.append(self.segments_table())
        if self.change_examples and (self.dry_run if changes is None else changes):
            parts.append(self.changes_table())
        problems = self.problems_table()
        if problems is not None:
            parts.append(problems)
        return Group(*parts)
