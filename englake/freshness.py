"""The freshness gate: is the lake still being delivered to? ``dbt source freshness`` on the Firehose arrival hour.

The daily pipeline runs this after the build and before the segment sync: syncing segments computed from a lake
that stopped filling would write yesterday's (or last month's) segments as if they were today's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from englake.dbt import run_dbt
from englake.errors import DbtError, StaleLakeError
from englake.settings import Settings, get_settings

#: The lake's raw sources (dbt_project/models/staging/lake/_lake__sources.yml).
LAKE_SOURCES = "source:lake"


@dataclass(frozen=True)
class SourceFreshness:
    """One raw source: its newest arrival hour, age and dbt's verdict (pass, warn or error)."""

    source: str
    newest_arrival: datetime | None
    age_hours: float
    status: str
    error_after_hours: float | None


def check_freshness(settings: Settings | None = None, target: str | None = None) -> list[SourceFreshness]:
    """Run ``dbt source freshness`` on the lake's sources; raise StaleLakeError when every producer is past its
    error bound (a producer a team does not use never fills, so one stale producer alone is a warning)."""
    settings = settings or get_settings()
    result = run_dbt(["source", "freshness", "--select", LAKE_SOURCES], settings, target, check=False)
    checked = []
    broken = []
    for node in result.result.results:
        status = str(node.status).lower()
        if status not in ("pass", "warn", "error"):  # "runtime error": the query failed, not the lake
            broken.append(f"{node.node.name}: {node.message}")
            continue
        error_after = node.node.freshness.error_after
        bound = error_after.count * _HOURS[str(error_after.period)] if error_after and error_after.count else None
        checked.append(
            SourceFreshness(
                source=node.node.name,
                newest_arrival=node.max_loaded_at.replace(tzinfo=None) if node.max_loaded_at else None,
                age_hours=round(node.age / 3600, 1),
                status=status,
                error_after_hours=bound,
            )
        )
    if broken:
        raise DbtError(f"dbt source freshness could not check {'; '.join(broken)}")
    if not checked:
        raise DbtError(f"dbt source freshness checked nothing ({LAKE_SOURCES} has no freshness configured)")
    if all(item.status == "error" for item in checked):
        newest = max((item.newest_arrival for item in checked if item.newest_arrival), default=None)
        shown = "no data at all" if newest is None or newest.year == 1970 else f"{newest:%Y-%m-%d %H}:00 UTC"
        bounds = sorted({item.error_after_hours for item in checked if item.error_after_hours})
        raise StaleLakeError(
            f"the lake is stale: the newest Firehose arrival hour of any producer is {shown}, older than "
            f"{', '.join(f'{b:g}' for b in bounds)} hours ({', '.join(i.source for i in checked)}); "
            "check the delivery streams before syncing segments"
        )
    return checked


_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "timeperiod.minute": 1 / 60, "timeperiod.hour": 1.0}
_HOURS["timeperiod.day"] = 24.0
