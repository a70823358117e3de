"""WhatsApp through AWS End User Messaging Social: conversations of outbound template messages (sent, delivered,
read or failed status webhooks) and customers' replies (inbound messages); records in ``phone_records``."""

from __future__ import annotations

from ingest.layout import Producer
from ingest.synthetic import catalog
from ingest.synthetic.config import HOUR_MS, MINUTE_MS
from ingest.synthetic.phone_records import BUSINESS_DISPLAY_NUMBER, PhoneMessage
from ingest.synthetic.planner import PlannerCore
from ingest.synthetic.truth import WHATSAPP_FINAL
from ingest.synthetic.world import User, hex_id, uuid_like

SOCIAL = Producer.SOCIAL
#: Outbound messages per conversation: 1 plus up to this many more, minutes apart.
MAX_FOLLOW_UPS = 2
#: Meta fails the message (no conversation, an error from ``catalog.WHATSAPP_ERRORS``); else it is delivered (else
#: only sent is known) and then read.
FAILED_P = 0.05
DELIVERED_P = 0.92
READ_P = 0.6
#: The customer writes back after the conversation's last message.
REPLY_P = 0.25
#: AWS stamps its header (``message_timestamp``, nanoseconds) a little after Meta's status second.
AWS_DELAY_MAX_MS = 900


class WhatsApp(PlannerCore):
    """End User Messaging Social (WhatsApp) conversations and replies."""

    def _social(self, fn_name: str, args: tuple, meta_seconds: int) -> bool:
        """Emit one webhook; Meta's whole second is the event time, AWS's header a little later."""
        rng, rnd = self.rng, self.rnd
        aws_ms = meta_seconds * 1_000 + int(rnd() * AWS_DELAY_MAX_MS)
        nanos = (aws_ms % 1_000) * 1_000_000 + rng.randrange(1_000_000)
        fn = getattr(self.phone_renderer, fn_name)
        return self._emit(SOCIAL, fn, (*args, aws_ms, nanos, uuid_like(rng)), meta_seconds * 1_000, aws_ms)

    def _whatsapp_status(self, message: PhoneMessage, status: str, at_ms: int, error: tuple[int, str] | None) -> int:
        """One status webhook at ``at_ms`` (cut to Meta's second); returns the second, in ms."""
        seconds = at_ms // 1_000
        if self._social("whatsapp_status", (message, status, seconds, error), seconds):
            description = f"{error[0]}: {error[1]}" if error is not None else None
            self.truth.phone_event(
                message,
                "social",
                status,
                seconds * 1_000,
                is_final=status in WHATSAPP_FINAL,
                status=status,
                description=description,
            )
        return seconds * 1_000

    def _whatsapp_message(self, user: User, at_ms: int, conversation: tuple[str, str], force: str = "") -> int:
        """One outbound message; ``force``: "read", "delivered" or "failed". Returns the time of its last status."""
        rng, rnd = self.rng, self.rnd
        message = PhoneMessage(
            message_id=f"wamid.HBgL{hex_id(rng, 40).upper()}",
            producer="social",
            channel="whatsapp",
            request_ms=at_ms,
            origination="+" + BUSINESS_DISPLAY_NUMBER,
            destination=user.phone or "",
            iso_country=user.country.iso,
            message_type=conversation[1],
            mcc=user.country.mcc,
            mnc="",
            conversation_id=conversation[0],
            conversation_type=conversation[1],
        )
        if force == "failed" or (not force and rnd() < FAILED_P):
            return self._whatsapp_status(message, "failed", at_ms + 1_000, rng.choice(catalog.WHATSAPP_ERRORS))
        at_ms = self._whatsapp_status(message, "sent", at_ms + 1_000, None)
        if force in ("read", "delivered") or rnd() < DELIVERED_P:
            at_ms = self._whatsapp_status(message, "delivered", at_ms + 1_000 + int(rnd() * 4_000), None)
            if force == "read" or (not force and rnd() < READ_P):
                at_ms = self._whatsapp_status(message, "read", at_ms + 10_000 + int(rnd() * 2 * HOUR_MS), None)
        return at_ms

    def _whatsapp_reply(self, user: User, at_ms: int) -> None:
        rng = self.rng
        seconds = at_ms // 1_000
        wamid = f"wamid.HBgL{hex_id(rng, 40).upper()}"
        name = f"{user.first_name} {user.last_name}"
        args = (wamid, user.phone or "", name, rng.choice(catalog.WHATSAPP_REPLIES), seconds)
        if self._social("whatsapp_inbound", args, seconds):
            self.truth.whatsapp_inbound_message(
                wamid, user.phone or "", "text", seconds * 1_000, "+" + BUSINESS_DISPLAY_NUMBER
            )

    def _unit_whatsapp(self, force: str = "", at: int | None = None) -> bool:
        """One conversation: a few outbound messages minutes apart, maybe a reply; ``force`` the first's outcome."""
        rng, rnd = self.rng, self.rnd
        if not self.phone_users:
            return False
        user = rng.choice(self.phone_users)
        conversation = (hex_id(rng), rng.choice(catalog.WHATSAPP_CATEGORIES))
        at_ms = self._uniform_time() if at is None else at
        last = self._whatsapp_message(user, at_ms, conversation, force)
        for _ in range(rng.randint(0, MAX_FOLLOW_UPS) if not force else 0):
            at_ms += MINUTE_MS + int(rnd() * 10 * MINUTE_MS)
            last = max(last, self._whatsapp_message(user, at_ms, conversation))
        if force == "reply" or (not force and rnd() < REPLY_P):
            self._whatsapp_reply(user, last + 30_000 + int(rnd() * HOUR_MS))
        return True

    def _showcase_whatsapp(self, at_ms: int, step: int) -> int:
        """A read, a delivered (unread) and a failed message, and a reply, from ``at_ms`` on."""
        for force in ("read", "delivered", "failed", "reply"):
            at_ms += step + self.rng.randrange(1, 60_000)
            self._unit_whatsapp(force=force, at=at_ms)
        return at_ms
