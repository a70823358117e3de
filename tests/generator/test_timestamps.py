"""SES's timestamp text: ISO-8601, milliseconds always three digits, ``Z`` (event-formats.md §2 examples)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.synthetic.config import iso_ms, to_ms


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2016, 10, 14, 5, 2, 16, 645_000), "2016-10-14T05:02:16.645Z"),
        (datetime(2026, 11, 20, 10, 0, 0), "2026-11-20T10:00:00.000Z"),  # whole seconds keep ".000"
        (datetime(2026, 1, 2, 3, 4, 5, 7_000), "2026-01-02T03:04:05.007Z"),
        (datetime(1970, 1, 1), "1970-01-01T00:00:00.000Z"),
    ],
)
def test_iso_ms_writes_ses_timestamps(moment: datetime, text: str) -> None:
    assert iso_ms(to_ms(moment)) == text
