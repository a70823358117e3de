"""The run report as rich tables: only the command line renders it (the sync Lambda image carries no rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from segmentation.report import SyncReport


def summary_table(report: SyncReport) -> Table:
    title = "Segment sync — dry run (nothing written)" if report.dry_run else "Segment sync"
    table = Table(title=f"{title}: {report.destination}", show_header=True, header_style="bold")
    table.add_column("", style="bold")
    table.add_column("endpoints", justify="right")
    table.add_column("memberships", justify="right")
    table.add_row("in segments now", f"{report.endpoints_in_membership:,}", f"{report.memberships:,}")
    table.add_row("added to a segment", f"{report.endpoints_added:,}", f"{report.memberships_added:,}")
    table.add_row("removed from a segment", f"{report.endpoints_removed:,}", f"{report.memberships_removed:,}")
    table.add_row("  of which removed from all", f"{report.endpoints_cleared:,}", "")
    table.add_row("unchanged", f"{report.endpoints_unchanged:,}", "")
    table.add_row(
        "to write" if report.dry_run else "written (accepted)",
        f"{report.written if not report.dry_run else report.to_write:,}",
        "",
    )
    table.add_row("rejected", f"{report.rejected:,}", "")
    table.add_row("failed (retried next run)", f"{report.failed:,}", "")
    if report.not_sent:
        table.add_row("not sent (time budget; next run)", f"{report.not_sent:,}", "")
    table.add_row("unknown ids (not written)", f"{report.unknown_endpoints:,}", "")
    table.add_row("API calls (+ SDK retries)", f"{report.api_calls:,} (+{report.retries:,})", "")
    table.add_row("duration", f"{report.duration_seconds:.2f} s (diff {report.diff_seconds:.2f} s)", "")
    table.add_row("status", report.status, "")
    return table


def segments_table(report: SyncReport) -> Table:
    table = Table(title="Per segment", header_style="bold")
    for name in ("segment", "before", "after", "added", "removed"):
        table.add_column(name, justify="left" if name == "segment" else "right")
    for row in report.segments:
        table.add_row(
            row["segment"], f"{row['before']:,}", f"{row['after']:,}", f"{row['added']:,}", f"{row['removed']:,}"
        )
    return table


def changes_table(report: SyncReport) -> Table:
    table = Table(title=f"Changes (first {len(report.change_examples)} of {report.to_write:,})", header_style="bold")
    for name in ("endpoint", "before", "after"):
        table.add_column(name)
    for row in report.change_examples:
        before = "(unknown: rewritten)" if row["before"] is None else ", ".join(row["before"]) or "—"
        table.add_row(row["endpoint_id"], before, ", ".join(row["after"]) or "— (removed from all)")
    return table


def problems_table(report: SyncReport) -> Table | None:
    rows = [("rejected", r["endpoint_id"], r["reason"]) for r in report.rejected_examples]
    rows += [("failed", r["endpoint_id"], r["reason"]) for r in report.failed_examples]
    rows += [("unknown", e, "endpoint id not in the destination; not written") for e in report.unknown_examples]
    if not rows and not report.guard:
        return None
    table = Table(title="Problems (examples)", header_style="bold")
    for name in ("kind", "endpoint", "reason"):
        table.add_column(name)
    for rule in report.guard:
        table.add_row("guard (forced)" if report.forced else "guard", "", rule)
    for row in rows:
        table.add_row(*row)
    return table


def renderable(report: SyncReport, changes: bool | None = None) -> Group:
    """Summary, per-segment table, problems; the change preview too on a dry run (or when ``changes``)."""
    parts: list[Any] = [summary_table(report)]
    if report.segments:
        parts.append(segments_table(report))
    if report.change_examples and (report.dry_run if changes is None else changes):
        parts.append(changes_table(report))
    problems = problems_table(report)
    if problems is not None:
        parts.append(problems)
    return Group(*parts)
