"""AWS End User Messaging MMS (``MEDIA_*``), voice (``VOICE_*``) and RCS (``RCS_*``) through configuration sets:
intermediate statuses, then the final ones (records in ``phone_records``)."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.config import HOUR_MS, MINUTE_MS
from ingest.synthetic.phone_records import PhoneMessage
from ingest.synthetic.planner import SMS, PlannerCore
from ingest.synthetic.world import User, uuid_like

#: A campaign send (its id in the send's context); the rest are transactional.
CAMPAIGN_P = 0.6
#: MMS: queued and pending statuses before the final one; the carrier accepts it (else one of
#: ``catalog.MMS_FAILURES``); some receipts take hours.
MMS_QUEUED_P = 0.2
MMS_PENDING_P = 0.5
MMS_DELIVERED_P = 0.88
MMS_SLOW_RECEIPT_P = 0.05
#: End User Messaging's MMS price and US carrier fee (USD per message; the unit is the SMS one, event-formats.md).
MMS_PRICE_USD = 0.0200
MMS_US_CARRIER_FEE_USD = 0.0035
#: Voice: the phone rings (else the call fails at once), is answered (else one of ``catalog.VOICE_FAILURES``);
#: answered calls last between the bounds below and are billed per started minute.
VOICE_RINGING_P = 0.9
VOICE_ANSWERED_P = 0.7
VOICE_MIN_SECONDS, VOICE_MAX_SECONDS = 5, 240
VOICE_PRICE_PER_MINUTE_USD = 0.013
#: RCS: queued first sometimes, then sent; delivered (and read later, both final), fallen back to SMS (final, the
#: device is not RCS capable), or failed (``catalog.RCS_FAILURES``).
RCS_QUEUED_P = 0.3
RCS_DELIVERED_P = 0.8
RCS_READ_P = 0.55
RCS_FALLBACK_P = 0.5  # of those not delivered; the rest fail


MMS_DELIVERED = ("MEDIA_DELIVERED", "DELIVERED", "Message has been accepted by phone carrier")
VOICE_COMPLETED = ("VOICE_COMPLETED", "COMPLETED", "Call completed")
VOICE_NO_ANSWER = catalog.VOICE_FAILURES[0]
RCS_DELIVERED = ("RCS_DELIVERED", "DELIVERED", "Message delivered")


class EndUserMessagingPhone(PlannerCore):
    """End User Messaging MMS, voice calls and RCS messages."""

    def _phone_message(self, channel: str, user: User, request_ms: int) -> PhoneMessage:
        rng = self.rng
        country = user.country
        campaign = next(c for c in catalog.PHONE_CAMPAIGNS if c[2] == channel)
        promotional = self.rnd() < CAMPAIGN_P
        message = PhoneMessage(
            message_id=uuid_like(rng),
            producer="sms",
            channel=channel,
            request_ms=request_ms,
            origination=catalog.RCS_AGENT_ID if channel == "rcs" else rng.choice(catalog.ORIGINATION_NUMBERS),
            destination=user.phone or "",
            iso_country=country.iso,
            message_type="PROMOTIONAL" if promotional else "TRANSACTIONAL",
            mcc=country.mcc,
            mnc=rng.choice(country.mncs),
            context={"userId": user.user_id},
        )
        if promotional:
            message.campaign_id = campaign[0]
            message.context["campaign_id"] = campaign[0]
        return message

    def _phone_event(
        self, message: PhoneMessage, event_type: str, at_ms: int, is_final: bool, status: str, description: str
    ) -> None:
        args = (message, event_type, at_ms, is_final, status, description)
        if self._emit(SMS, self._f_phone_eum, args, at_ms, at_ms):
            self.truth.phone_event(
                message, "sms", event_type, at_ms, is_final=is_final, status=status, description=description
            )

    def _phone_user(self) -> User | None:
        return self.rng.choice(self.phone_users) if self.phone_users else None

    # -- MMS --------------------------------------------------------------------------------------------------
    def _unit_mms(self, force: tuple[str, str, str] | None = None, at: int | None = None) -> bool:
        """One MMS; ``force``: its final (type, status, description)."""
        user = self._phone_user()
        if user is None:
            return False
        rng, rnd = self.rng, self.rnd
        message = self._phone_message("mms", user, self._uniform_time() if at is None else at)
        message.parts = 1
        delivered = rnd() < MMS_DELIVERED_P if force is None else force[0] == MMS_DELIVERED[0]
        final = None if delivered else (force or rng.choice(catalog.MMS_FAILURES))
        # the final receipt's price is on every status (a file End User Messaging cannot fetch is not billed)
        unbilled = final is not None and final[0].startswith("MEDIA_FILE_")
        message.price = 0.0 if unbilled else MMS_PRICE_USD
        message.carrier_fee = MMS_US_CARRIER_FEE_USD if user.country.iso == "US" and not unbilled else 0.0
        request = message.request_ms
        if rnd() < MMS_QUEUED_P:
            self._phone_event(message, "MEDIA_QUEUED", request + 50 + int(rnd() * 250), False, "QUEUED", "Queued")
        if rnd() < MMS_PENDING_P:
            self._phone_event(
                message, "MEDIA_PENDING", request + 400 + int(rnd() * 2_600), False, "PENDING", "Message is pending"
            )
        at_ms = request + 3_500 + int(rnd() * 30_000)
        if rnd() < MMS_SLOW_RECEIPT_P:
            at_ms += HOUR_MS + int(rnd() * 70 * HOUR_MS)
        if final is None:
            # as for SMS, US carriers' receipts say DELIVERED, others SUCCESSFUL
            if user.country.iso == "US":
                self._phone_event(message, MMS_DELIVERED[0], at_ms, True, MMS_DELIVERED[1], MMS_DELIVERED[2])
            else:
                self._phone_event(message, "MEDIA_SUCCESSFUL", at_ms, True, "SUCCESSFUL", MMS_DELIVERED[2])
        else:
            if final[0] == "MEDIA_UNKNOWN":
                at_ms = request + 72 * HOUR_MS + int(rnd() * MINUTE_MS)
            self._phone_event(message, final[0], at_ms, True, final[1], final[2])
        return True

    # -- voice ------------------------------------------------------------------------------------------------
    def _unit_voice(self, force: tuple[str, str, str] | None = None, at: int | None = None) -> bool:
        """One call; ``force``: its final (type, status, description), or ``VOICE_COMPLETED``'s."""
        user = self._phone_user()
        if user is None:
            return False
        rng, rnd = self.rng, self.rnd
        message = self._phone_message("voice", user, self._uniform_time() if at is None else at)
        if force is None:
            rings = rnd() < VOICE_RINGING_P
            answered = rings and rnd() < VOICE_ANSWERED_P
        else:
            rings = force[0] in (VOICE_COMPLETED[0], VOICE_NO_ANSWER[0])
            answered = force[0] == VOICE_COMPLETED[0]
        if answered:
            message.call_seconds = rng.randint(VOICE_MIN_SECONDS, VOICE_MAX_SECONDS)
            message.price = round(-(-message.call_seconds // 60) * VOICE_PRICE_PER_MINUTE_USD, 5)
            final = VOICE_COMPLETED
        else:
            # a call that rang went unanswered; one that never rang was busy, failed or expired unplaced
            message.price = 0.0
            unplaced = [failure for failure in catalog.VOICE_FAILURES if failure != VOICE_NO_ANSWER]
            final = force or (VOICE_NO_ANSWER if rings else rng.choice(unplaced))
        at_ms = message.request_ms + 200 + int(rnd() * 800)
        self._phone_event(message, "VOICE_INITIATED", at_ms, False, "SENT", "Call initiated")
        if rings:
            at_ms += 1_000 + int(rnd() * 3_000)
            self._phone_event(message, "VOICE_RINGING", at_ms, False, "RINGING", "Call ringing")
        if answered:
            at_ms += 2_000 + int(rnd() * 15_000)
            self._phone_event(message, "VOICE_ANSWERED", at_ms, False, "ANSWERED", "Call answered")
            at_ms += (message.call_seconds or 0) * 1_000
        elif final[0] == "VOICE_TTL_EXPIRED":
            at_ms += HOUR_MS + int(rnd() * 2 * HOUR_MS)
        else:
            at_ms += 20_000 + int(rnd() * 30_000)
        self._phone_event(message, final[0], at_ms, True, final[1], final[2])
        return True

    # -- RCS --------------------------------------------------------------------------------------------------
    def _unit_rcs(self, force: tuple[str, str, str] | None = None, at: int | None = None, read: bool = False) -> bool:
        """One RCS message; ``force``: its final (type, status, description); ``read``: a delivered one is read."""
        user = self._phone_user()
        if user is None:
            return False
        rng, rnd = self.rng, self.rnd
        message = self._phone_message("rcs", user, self._uniform_time() if at is None else at)
        request = message.request_ms
        if rnd() < RCS_QUEUED_P:
            self._phone_event(message, "RCS_QUEUED", request + 50 + int(rnd() * 250), False, "QUEUED", "Queued")
        at_ms = request + 400 + int(rnd() * 1_600)
        self._phone_event(message, "RCS_SENT", at_ms, False, "SENT", "Message sent to RCS agent platform")
        if force is None:
            if rnd() < RCS_DELIVERED_P:
                final = RCS_DELIVERED
            elif rnd() < RCS_FALLBACK_P:
                final = catalog.RCS_FALLBACK
            else:
                final = rng.choice(catalog.RCS_FAILURES)
        else:
            final = force
        at_ms += 1_000 + int(rnd() * 10_000)
        if final[0] == "RCS_TTL_EXPIRED":
            at_ms += HOUR_MS + int(rnd() * 11 * HOUR_MS)
        self._phone_event(message, final[0], at_ms, True, final[1], final[2])
        if final == RCS_DELIVERED and (read or (force is None and rnd() < RCS_READ_P)):
            at_ms += 5_000 + int(rnd() * 2 * HOUR_MS)
            self._phone_event(message, "RCS_READ", at_ms, True, "READ", "Message read")
        return True

    # -- every outcome at any scale ---------------------------------------------------------------------------
    def _showcase_phone(self, at_ms: int, step: int) -> int:
        """One message per final outcome of each channel (forced), from ``at_ms`` on; returns the time after."""
        rng = self.rng
        plans = [
            *((self._unit_mms, {"force": final}) for final in (MMS_DELIVERED, *catalog.MMS_FAILURES)),
            *((self._unit_voice, {"force": final}) for final in (VOICE_COMPLETED, *catalog.VOICE_FAILURES)),
            (self._unit_rcs, {"force": RCS_DELIVERED, "read": True}),
            (self._unit_rcs, {"force": RCS_DELIVERED}),
            (self._unit_rcs, {"force": catalog.RCS_FALLBACK}),
            *((self._unit_rcs, {"force": final}) for final in catalog.RCS_FAILURES),
        ]
        for plan, kwargs in plans:
            at_ms += step + rng.randrange(1, 60_000)
            plan(at=at_ms, **kwargs)
        return at_ms
