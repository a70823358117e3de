"""Segment sync failures a user can act on; each message names the segment, endpoint, relation or count."""

from __future__ import annotations

from englake.errors import EnglakeError


class MembershipError(EnglakeError):
    """The membership relation is missing or breaks its key (null or duplicate endpoint id / segment name)."""


class SegmentNameError(EnglakeError):
    """A segment name the destination can't store (too long, empty, control characters); raised before any write."""


class GuardTripped(EnglakeError):
    """The sync would remove too many members (or every member); rerun with force once the change is intended."""


class DestinationError(EnglakeError):
    """The destination can't be reached or set up (names the destination and what is missing)."""
