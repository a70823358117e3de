"""Segment sync failures a user can act on; each message names the segment, endpoint, relation or count.

The classes live in englake/errors.py beside the CLI's exit-code table (one place); this module names them for the
segmentation package.
"""

from __future__ import annotations

from englake.errors import DestinationError, GuardTripped, MembershipError, PartialFailureError, SegmentNameError

__all__ = ["DestinationError", "GuardTripped", "MembershipError", "PartialFailureError", "SegmentNameError"]
