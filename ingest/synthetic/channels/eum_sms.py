"""AWS End User Messaging SMS (``TEXT_*`` through configuration sets): intermediate statuses, then one final."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.config import HOUR_MS, MINUTE_MS
from ingest.synthetic.planner import SMS, PlannerCore
from ingest.synthetic.records import Sms

#: Blocked by the protect configuration (final, free).
PROTECT_BLOCKED_P = 0.03
#: Intermediate statuses before the final one.
QUEUED_P = 0.15
PENDING_P = 0.4
#: The carrier accepts the message (else one of ``catalog.EUM_FAILURES``); some receipts take up to 72 hours.
DELIVERED_P = 0.9
SLOW_RECEIPT_P = 0.06
#: One-time passwords; the rest are order notifications.
OTP_P = 0.7


class EndUserMessagingSms(PlannerCore):
    """End User Messaging SMS messages."""

    def _eum(self, sms: Sms, event_type: str, happened: int, is_final: bool, status: str, description: str) -> None:
        args = (sms, event_type, happened, is_final, status, description)
        if self._emit(SMS, self._f_eum, args, happened, happened):
            self.truth.sms_event(sms, "sms", event_type, happened, is_final=is_final, priced=True)

    def _eum_flow(self, sms: Sms, force: tuple[str, str, str] | None = None) -> None:
        """Intermediate statuses (isFinal false), then one final status; ``force``: the final (type, status, text)."""
        rng, rnd = self.rng, self.rnd
        self._pool[SMS].append(sms)
        request = sms.request_ms
        if rnd() < PROTECT_BLOCKED_P or (force is not None and force[0] == "TEXT_PROTECT_BLOCKED"):
            sms.price = 0.0
            sms.carrier_fee = 0.0
            self._eum(
                sms,
                "TEXT_PROTECT_BLOCKED",
                request + 150,
                True,
                "PROTECT_BLOCKED",
                "Message blocked by protect configuration",
            )
            return
        if rnd() < QUEUED_P:
            self._eum(sms, "TEXT_QUEUED", request + 50 + int(rnd() * 250), False, "QUEUED", "Message has been queued")
        if rnd() < PENDING_P:
            self._eum(
                sms,
                "TEXT_PENDING",
                request + 400 + int(rnd() * 2_600),
                False,
                "PENDING",
                "Message has been sent to the carrier",
            )
        if force is None and rnd() < DELIVERED_P:
            at_ms = request + 3_500 + int(rnd() * 23_000)  # after any intermediate status
            if rnd() < SLOW_RECEIPT_P:
                at_ms += HOUR_MS + int(rnd() * 70 * HOUR_MS)
            if sms.iso_country == "US":
                self._eum(sms, "TEXT_DELIVERED", at_ms, True, "DELIVERED", "Message has been accepted by phone carrier")
            else:
                self._eum(
                    sms, "TEXT_SUCCESSFUL", at_ms, True, "SUCCESSFUL", "Message has been accepted by phone carrier"
                )
        else:
            event_type, status, description = force or rng.choice(catalog.EUM_FAILURES[:-1])
            if event_type == "TEXT_UNKNOWN":
                at_ms = request + 72 * HOUR_MS + int(rnd() * MINUTE_MS)
            elif event_type == "TEXT_TTL_EXPIRED":
                at_ms = request + HOUR_MS + int(rnd() * 11 * HOUR_MS)
            else:
                at_ms = request + 3_500 + int(rnd() * 60_000)
            self._eum(sms, event_type, at_ms, True, status, description)

    def _unit_eum(self, force: tuple[str, str, str] | None = None, at: int | None = None) -> bool:
        rng = self.rng
        if not self.phone_users:
            return False
        user = rng.choice(self.phone_users)
        if self.rnd() < OTP_P:
            body, purpose = rng.choice(catalog.SMS_BODIES_TRANSACTIONAL), "otp"
        else:
            body, purpose = rng.choice(catalog.SMS_BODIES_NOTIFICATION), "order"
        request = self._uniform_time() if at is None else at
        sms = self._new_sms("sms", user, request, body.format(n=rng.randrange(100_000, 999_999)), "TRANSACTIONAL")
        sms.context = {"userId": user.user_id, "purpose": purpose}
        self._eum_flow(sms, force)
        return True
