"""Segment sync: membership → diff against the last snapshot → destination (local, Pinpoint, …) → snapshot."""
