"""What happens in the synthetic lake: the registered channels plan their units, then the faults are added.

``Planner`` is the composition of ``planner.PlannerCore`` (state, emission), every channel mixin
(``channels.CHANNELS``), the showcase messages and the fault kinds (``faults``).
"""

from __future__ import annotations

from operator import itemgetter

from ingest.synthetic.channels import CHANNELS, mixins
from ingest.synthetic.faults.malformed import MalformedLines
from ingest.synthetic.faults.unknown_types import UnknownTypes
from ingest.synthetic.planner import PlannerCore
from ingest.synthetic.showcase import Showcase

#: A unit that produced nothing this many times in a row has nothing left to send (e.g. every user opted out).
MAX_IDLE_UNITS = 1_000


class Planner(*mixins(), Showcase, UnknownTypes, MalformedLines, PlannerCore):  # type: ignore[misc]
    """Plans every record of one synthetic lake and accumulates its ground truth."""

    def run(self) -> None:
        config = self.config
        self._anchors()
        self._showcase()
        for channel in CHANNELS:
            plan_unit = getattr(self, channel.unit)
            goal = self.produced + int(config.events * channel.share(config))
            idle = 0
            while self.produced < goal and idle < MAX_IDLE_UNITS:
                before = self.produced
                if not plan_unit():
                    break
                idle = idle + 1 if self.produced == before else 0
        self._unknown_types()
        self._garbage()
        # By arrival alone, stably: entries were appended in ``seq`` order, so ties keep it, as sorting the whole
        # (arrival, seq, …) tuples would, in half the time (plain int keys instead of tuple comparisons).
        self.entries.sort(key=itemgetter(0))
