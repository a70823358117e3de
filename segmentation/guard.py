"""Checks that stop a sync before its first write: names the destination can't take, and suspicious removals.

A broken or empty segment query looks, to a diff, exactly like "everyone left". The removal guard compares what a
run would remove with what the last sync wrote and stops (unless forced) when:

1. the membership is empty while the snapshot is not (an empty or broken membership query);
2. the removed memberships exceed ``max_removal_share`` of the current ones (default 20%);
3. a segment that had at least ``vanish_min_members`` members would have none (one segment's model broke).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from segmentation.destinations.base import DestinationLimits
from segmentation.diff import Diff
from segmentation.errors import GuardTripped, SegmentNameError

DEFAULT_MAX_REMOVAL_SHARE = 0.2
DEFAULT_VANISH_MIN_MEMBERS = 10


@dataclass(frozen=True)
class GuardPolicy:
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    vanish_min_members: int = DEFAULT_VANISH_MIN_MEMBERS


def check_segment_names(membership: pa.Table, limits: DestinationLimits, destination: str) -> None:
    """Raise SegmentNameError naming every segment name the destination can't store (before any write)."""
    with duckdb.connect() as con:
        con.register("m", membership)
        names = [row[0] for row in con.execute("SELECT DISTINCT segment_name FROM m ORDER BY 1").fetchall()]
    problems = []
    for name in names:
        if not name.strip():
            problems.append(f"{name!r} is blank")
        elif name != name.strip():
            problems.append(f"{name!r} has leading or trailing spaces (Pinpoint segment filters would not match)")
        elif limits.max_value_chars is not None and len(name) > limits.max_value_chars:
            problems.append(
                f"{name[:30]!r}… is {len(name)} characters; {destination} takes at most {limits.max_value_chars}"
            )
        elif any(unicodedata.category(ch).startswith("C") for ch in name):
            problems.append(f"{name!r} contains control characters")
    if problems:
        raise SegmentNameError(
            "segment names the destination can't store (rename the segment in its model config): " + "; ".join(problems)
        )


def check_removals(diff: Diff, policy: GuardPolicy, force: bool) -> list[str]:
    """Raise GuardTripped when a rule above is broken and not ``force``; returns the tripped rules (for the report)."""
    tripped: list[str] = []
    if diff.memberships_after == 0 and diff.memberships_before > 0:
        tripped.append(
            f"the membership is empty but the last sync wrote {diff.memberships_before} memberships on "
            f"{diff.endpoints_in_snapshot} endpoints; this run would remove every one (an empty or broken query?)"
        )
    elif diff.memberships_before > 0:
        share = diff.memberships_removed / diff.memberships_before
        if share > policy.max_removal_share:
            tripped.append(
                f"this run would remove {diff.memberships_removed} of {diff.memberships_before} current memberships "
                f"({share:.1%}), above the limit of {policy.max_removal_share:.0%}"
            )
    vanished = [s for s in diff.segments if s.before >= policy.vanish_min_members and s.after == 0]
    if vanished and diff.memberships_after > 0:
        shown = ", ".join(f"{s.segment} ({s.before} members)" for s in vanished[:10])
        tripped.append(f"segments would lose every member: {shown}; did their models break?")
    if tripped and not force:
        raise GuardTripped(
            "sync stopped before writing anything: "
            + "; ".join(tripped)
            + ". Check the segment models; if the change is intended, rerun with --force (or force=True)."
        )
    return tripped
