"""Pinpoint SMS (``_SMS.*``): campaign and transactional (OTP) messages, BUFFERED then SUCCESS (maybe an opt-out
reply) or FAILURE."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.channels.pinpoint_campaigns import PinpointCampaigns
from ingest.synthetic.config import DAY_MS, HOUR_MS, MINUTE_MS
from ingest.synthetic.planner import PINPOINT
from ingest.synthetic.records import Sms
from ingest.synthetic.truth import PINPOINT_SMS_FINAL
from ingest.synthetic.world import (
    User,
    uuid_like,
)

#: As in AWS's own example, some ``_SMS.*`` records have ``arrival_timestamp`` a little before ``event_timestamp``.
ARRIVAL_BEFORE_EVENT_P = 0.05
#: A BUFFERED record first; then SUCCESS (else FAILURE), some receipts up to 72 hours later; promotional messages
#: get an opt-out reply.
BUFFERED_P = 0.7
SUCCESS_P = 0.9
SLOW_RECEIPT_P = 0.05
OPT_OUT_REPLY_P = 0.025
#: End User Messaging adds a carrier fee on US messages (USD per message part).
US_CARRIER_FEE_USD = 0.003


class PinpointSms(PinpointCampaigns):
    """Pinpoint SMS messages."""

    def _new_sms(self, producer: str, user: User, request_ms: int, body: str, message_type: str) -> Sms:
        rng = self.rng
        country = user.country
        gsm = body.isascii()
        parts = 1 if len(body) <= (160 if gsm else 70) else 2
        millicents = country.sms_price_millicents * parts
        return Sms(
            message_id=uuid_like(rng),
            producer=producer,
            request_ms=request_ms,
            origination=rng.choice(catalog.ORIGINATION_NUMBERS),
            destination=user.phone or "",
            iso_country=country.iso,
            message_type=message_type,
            parts=parts,
            price=millicents if producer == "pinpoint" else round(millicents / 100_000, 5),
            carrier_fee=US_CARRIER_FEE_USD if country.iso == "US" and producer == "sms" else 0.0,
            encoding="GSM" if gsm else "Unicode",
            mcc=country.mcc,
            mnc=rng.choice(country.mncs),
            context={"userId": user.user_id},
            sender_request_id=uuid_like(rng),
            endpoint_address=user.phone,
        )

    def _pp_sms(self, sms: Sms, event_type: str, happened: int, record_status: str, priced: bool) -> bool:
        rnd = self.rnd
        # as in AWS's own example, a few records have arrival_timestamp a little before event_timestamp
        arrival = (
            happened - 50 - int(rnd() * 400) if rnd() < ARRIVAL_BEFORE_EVENT_P else happened + 30 + int(rnd() * 500)
        )
        args = (sms, event_type, happened, arrival, record_status, priced)
        if not self._emit(PINPOINT, self._f_pp_sms, args, happened, max(happened, arrival)):
            return False
        self.truth.sms_event(
            sms, "pinpoint", event_type, happened, is_final=event_type in PINPOINT_SMS_FINAL, priced=priced
        )
        return True

    def _pp_sms_flow(self, sms: Sms, user: User, promotional: bool, force: str = "") -> None:
        """BUFFERED, then SUCCESS (maybe an OPTOUT reply later) or FAILURE; ``force``: "optout" or "failure"."""
        rng, rnd = self.rng, self.rnd
        request = sms.request_ms
        if rnd() < BUFFERED_P:
            self._pp_sms(sms, "_SMS.BUFFERED", request + 100 + int(rnd() * 700), "PENDING", False)
        if (rnd() < SUCCESS_P or force == "optout") and force != "failure":
            at_ms = request + 1_500 + int(rnd() * 20_000)
            if rnd() < SLOW_RECEIPT_P:  # carrier receipts can take up to 72 hours
                at_ms += HOUR_MS + int(rnd() * 70 * HOUR_MS)
            status = "DELIVERED" if sms.iso_country == "US" else "SUCCESSFUL"
            self._pp_sms(sms, "_SMS.SUCCESS", at_ms, status, True)
            if promotional and (rnd() < OPT_OUT_REPLY_P or force == "optout"):
                t_out = at_ms + MINUTE_MS + (0 if force else int(rnd() * 2 * DAY_MS))
                if self._pp_sms(sms, "_SMS.OPTOUT", t_out, "OPTED_OUT", False) and user.sms_endpoint_id:
                    user.sms_opt_out = "ALL"
                    user.effective_ms = max(user.effective_ms, t_out)
                    self.truth.set_opt_out(user.sms_endpoint_id, "ALL")
        else:
            status = rng.choice(catalog.PINPOINT_SMS_FAILURES)
            if status == "UNKNOWN":
                at_ms = request + 72 * HOUR_MS + int(rnd() * MINUTE_MS)
            elif status == "TTL_EXPIRED":
                at_ms = request + HOUR_MS + int(rnd() * 11 * HOUR_MS)
            else:
                at_ms = request + 2_000 + int(rnd() * 60_000)
            self._pp_sms(sms, "_SMS.FAILURE", at_ms, status, True)

    def _unit_campaign_sms(self) -> bool:
        launched = self._launch(
            "pp-sms",
            [campaign for campaign in self.campaigns if campaign.producer == "pinpoint" and campaign.channel == "SMS"],
        )
        if launched is None:
            return False
        campaign, user, treatment, at_ms, status = launched
        rnd = self.rnd
        if status != "SUCCESS":
            return True
        sms = self._new_sms("pinpoint", user, at_ms + 200 + int(rnd() * 800), treatment.subject, "Promotional")
        sms.client_id = sms.endpoint_id = user.sms_endpoint_id
        sms.campaign_id, sms.treatment_id, sms.campaign_activity_id = (
            campaign.campaign_id,
            treatment.treatment_id,
            campaign.activity_id,
        )
        sms.context = {"userId": user.user_id, "campaign": campaign.name}
        self._pp_sms_flow(sms, user, promotional=True)
        return True

    def _unit_transactional_sms(self) -> bool:
        rng = self.rng
        if not self.phone_users:
            return False
        user = rng.choice(self.phone_users)
        body = rng.choice(catalog.SMS_BODIES_TRANSACTIONAL).format(n=rng.randrange(100_000, 999_999))
        sms = self._new_sms("pinpoint", user, self._uniform_time(), body, "Transactional")
        sms.client_id = sms.endpoint_id = user.sms_endpoint_id
        sms.context = {"userId": user.user_id, "purpose": "otp"}
        self._pp_sms_flow(sms, user, promotional=False)
        return True
