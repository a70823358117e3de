"""Events of types AWS may add later (one per producer at least twice), hung on real messages."""

from __future__ import annotations

from ingest.synthetic.config import HOUR_MS, MINUTE_MS, iso_ms
from ingest.synthetic.planner import PINPOINT, SES, SMS, PlannerCore


class UnknownTypes(PlannerCore):
    """Unknown (future) event types."""

    def _unknown_types(self) -> None:
        cfg = self.config
        want = max(2, round(cfg.events * cfg.unknown_type_rate))
        rng, rnd = self.rng, self.rnd
        for producer, pool in self._pool.items():
            emitted = tries = 0
            while emitted < want and pool and tries < want * 50:
                tries += 1
                message = pool[rng.randrange(len(pool))]
                at_ms = message.sent_ms + MINUTE_MS + int(rnd() * 6 * HOUR_MS)
                if producer == PINPOINT:
                    obj = {"reason": "NewEventKind", "detail_version": "2"}
                    if self._emit(
                        PINPOINT,
                        self._f_pp_email,
                        (message, "_email.future_thing", at_ms, "future_thing", obj),
                        message.sent_ms,
                        at_ms,
                    ):
                        self.truth.email_event(message, "pinpoint", "_email.future_thing", at_ms)
                        emitted += 1
                elif producer == SES:
                    obj = {"timestamp": iso_ms(at_ms), "reason": "NewEventKind"}
                    if self._emit(SES, self._f_ses, (message, "FutureThing", "futureThing", obj, "full"), at_ms, at_ms):
                        self.truth.email_event(message, "ses", "FutureThing", at_ms)
                        emitted += 1
                else:
                    args = (message, "TEXT_FUTURE_STATUS", at_ms, False, "FUTURE_STATUS", "A status AWS may add later")
                    if self._emit(SMS, self._f_eum, args, at_ms, at_ms):
                        self.truth.sms_event(message, "sms", "TEXT_FUTURE_STATUS", at_ms, is_final=False, priced=True)
                        emitted += 1
