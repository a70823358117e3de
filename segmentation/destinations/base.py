"""The destination interface: the diff hands over changed endpoints and never knows where they go.

A destination writes each endpoint's *whole* new list of segment names (an idempotent overwrite, never an append;
an empty list clears the attribute on that endpoint), says which endpoint ids exist, and reports per endpoint what
was accepted, rejected (the destination refused that endpoint: reported, and tried again next run) or failed
(unknown outcome: rewritten next run whatever the diff says).

Amazon Connect Customer Profiles, the successor AWS names after Pinpoint's end of support, is written by
destinations/customer_profiles.py: one ``<prefix><segment>`` profile attribute per segment (attributes are
string → string, ≤ 255 characters, no arrays), added with "1" and cleared with "" using ``EndpointChange.previous``.
Other mappings (ops-anchors.md A3): membership as profile objects (``BatchPutProfileObject``, ≤ 10 items, per-item
``Failed[]`` → ``WriteResult.rejected``), or Customer Profiles segment definitions built on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pyarrow only in annotations: the Lambda packages import this module without it
    import pyarrow as pa


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """One endpoint's new, complete, sorted list of segment names (empty = remove from all) and what it replaces."""

    endpoint_id: str
    segments: tuple[str, ...]
    #: What the last successful sync wrote; ``None`` when unknown (a write whose outcome was lost).
    previous: tuple[str, ...] | None = ()


@dataclass(frozen=True)
class DestinationLimits:
    """What one endpoint can hold and how many endpoints one write carries."""

    #: Segment names per endpoint (values per attribute); ``None`` = unlimited.
    max_values: int | None
    #: Characters per segment name (attribute value); ``None`` = unlimited.
    max_value_chars: int | None
    #: Endpoints per request / transaction.
    batch_size: int


@dataclass
class WriteResult:
    """Per-endpoint outcome of a write, and the requests it took."""

    accepted: list[EndpointChange] = field(default_factory=list)
    rejected: list[tuple[EndpointChange, str]] = field(default_factory=list)
    failed: list[tuple[EndpointChange, str]] = field(default_factory=list)
    #: Requests sent (one per batch), and the extra attempts the SDK's retries added.
    api_calls: int = 0
    retries: int = 0
    #: Seconds spent waiting in the client-side rate limiter.
    throttle_wait: float = 0.0

    def add(self, other: WriteResult) -> None:
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.failed += other.failed
        self.api_calls += other.api_calls
        self.retries += other.retries
        self.throttle_wait += other.throttle_wait


#: Called after each batch with that batch's outcome (the sync journals accepted endpoints there).
BatchCallback = Callable[[WriteResult], None]


class Destination(Protocol):
    """A place segment membership is written to."""

    #: Stable id naming the sync state (``sync/<id>/…``): one per destination, application and attribute.
    id: str
    limits: DestinationLimits
    #: True when ``baseline()`` reads the destination's exact current values cheaply (a local store): the sync
    #: then diffs against them every run instead of the snapshot, so the store heals if it was reset.
    reads_back: bool

    def describe(self) -> str:
        """One line for reports: type, where, which attribute."""
        ...

    def known_endpoints(self) -> pa.Array | None:
        """Ids that exist (only these are written, so no ghost endpoint is created); ``None`` = any id is fine."""
        ...

    def baseline(self) -> pa.Table | None:
        """Current (endpoint_id, segments) the destination holds: the previous state on a first sync (or every
        sync when ``reads_back``); ``None`` when it can't tell."""
        ...

    def prepare(self) -> None:
        """Bring the destination's own bookkeeping up to date; called only once a run is going to write (never in a
        dry run or a run the guard stops, which must leave everything as it was)."""
        ...

    def write(self, changes: Sequence[EndpointChange], on_batch: BatchCallback | None = None) -> WriteResult:
        """Overwrite each endpoint's list; report every endpoint as accepted, rejected or failed.

        Raises ``AwsCredentialsError`` when the destination refuses the caller (every request would fail alike).
        """
        ...
