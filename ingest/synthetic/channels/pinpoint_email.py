"""Pinpoint email: campaigns (A/B treatments, webinar invitation, weekly digests) walking their audiences, journeys
(welcome series with an SMS step, abandoned cart) and transactional SendMessages."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.config import HOUR_MS, MINUTE_MS
from ingest.synthetic.planner import PINPOINT, PlannerCore
from ingest.synthetic.records import Mail
from ingest.synthetic.world import (
    Campaign,
    Journey,
    User,
    ses_message_id,
    uuid_like,
)

#: Pinpoint ``campaign_send_status`` / ``journey_send_status`` values and their shares.
CAMPAIGN_STATUSES = (
    ("SUCCESS", 0.95),
    ("QUIET_TIME", 0.012),
    ("DAILY_CAP", 0.01),
    ("FAILURE", 0.008),
    ("DUPLICATE_ADDRESS", 0.008),
    ("THROTTLED", 0.006),
    ("EXPIRED", 0.006),
)
JOURNEY_STATUSES = (
    ("SUCCESS", 0.95, "200"),
    ("QUIET_TIME", 0.02, "200"),
    ("DAILY_CAP", 0.015, "429"),
    ("FAILURE", 0.015, "500"),
)


#: Webinar invitation: an opener registers (fans far more often); a fan who did not open registers anyway.
OPENER_REGISTERS_P_FAN = 0.8
OPENER_REGISTERS_P = 0.12
FAN_REGISTERS_UNOPENED_P = 0.2


class PinpointEmail(PlannerCore):
    """Pinpoint campaign, journey and transactional email."""

    def _audience(self, campaign: Campaign) -> list[User]:
        if not campaign.audience:
            rng = self.rng
            if campaign.channel == "SMS":
                eligible = [u for u in self.phone_users if u.sms_opt_out == "NONE"]
            else:
                eligible = [u for u in self.users if u.email_opt_out == "NONE" and u.email_status == "ACTIVE"]
            if campaign.webinar_id:
                first = [u for u in eligible if u.webinar_fan or u.persona == "engaged"]
            else:
                first = [u for u in eligible if u.persona == "engaged"]
            chosen = {u.index for u in first}
            rest = [u for u in eligible if u.index not in chosen]
            rng.shuffle(first)
            rng.shuffle(rest)
            campaign.audience = first + rest
        return campaign.audience

    def _next_target(self, key: str, campaigns: list[Campaign]) -> tuple[Campaign, User] | None:
        """Round-robin over campaigns, each walking its audience (engaged users first); None when all are done."""
        for _ in range(len(campaigns)):
            i = self._rr.get(key, 0)
            self._rr[key] = (i + 1) % len(campaigns)
            campaign = campaigns[i]
            audience = self._audience(campaign)
            if campaign.cursor < len(audience):
                campaign.cursor += 1
                return campaign, audience[campaign.cursor - 1]
        return None

    def _status(self) -> str:
        r = self.rnd()
        for status, share in CAMPAIGN_STATUSES:
            r -= share
            if r < 0:
                return status
        return "SUCCESS"

    def _campaign_send(self, user: User, campaign: Campaign, treatment_id: str, status: str, t: int) -> None:
        channel = campaign.channel
        endpoint_id = user.email_endpoint_id if channel == "EMAIL" else user.sms_endpoint_id
        arrival = t + 20 + int(self.rnd() * 200)
        args = (
            endpoint_id,
            user.endpoint_json(channel),
            campaign.campaign_id,
            campaign.activity_id,
            treatment_id,
            channel,
            status,
            t,
            arrival,
        )
        if self._emit(PINPOINT, self._f_campaign_send, args, t, arrival):
            self.truth.campaign_send(campaign.campaign_id, treatment_id)

    def _pp_campaign_mail(self, campaign: Campaign, treatment_id: str, subject: str, user: User, t: int) -> Mail:
        return Mail(
            message_id=ses_message_id(self.rng, "020000"),
            producer="pinpoint",
            sent_ms=t + 300 + int(self.rnd() * 1_200),
            source="news@news.example.com",
            destinations=(user.email,),
            subject=subject,
            boundary=self._boundary(),
            client_id=user.email_endpoint_id,
            endpoint_id=user.email_endpoint_id,
            endpoint_address=user.email,
            campaign_id=campaign.campaign_id,
            treatment_id=treatment_id,
            campaign_activity_id=campaign.activity_id,
        )

    def _pp_transactional_mail(self, user: User, t: int) -> Mail:
        """Pinpoint SendMessages to an address: ``client_id`` is a per-message UUID, not an endpoint."""
        rng = self.rng
        return Mail(
            message_id=ses_message_id(rng, "020000"),
            producer="pinpoint",
            sent_ms=t,
            source=catalog.PINPOINT_TRANSACTIONAL_FROM,
            destinations=(user.email,),
            subject=rng.choice(catalog.PINPOINT_TRANSACTIONAL).format(n=rng.randrange(100_000, 999_999)),
            boundary=self._boundary(),
            client_id=uuid_like(rng),
        )

    def _unit_campaign_email(self) -> bool:
        campaigns = [
            c for c in self.campaigns if c.producer == "pinpoint" and c.channel == "EMAIL" and c is not self._seed_list
        ]
        target = self._next_target("pp-email", campaigns)
        if target is None:
            return False
        campaign, user = target
        rng, rnd = self.rng, self.rnd
        treatment = rng.choice(campaign.treatments)
        t = campaign.launch_ms + int(rnd() * campaign.spread_ms)
        status = self._status()
        self._campaign_send(user, campaign, treatment.treatment_id, status, t)
        if status != "SUCCESS":
            return True
        mail = self._pp_campaign_mail(campaign, treatment.treatment_id, treatment.subject, user, t)
        opened = self._email(mail, [(user.email, user)], treatment.link)
        # invitees register for the webinar minutes after opening the invitation (fans far more often)
        if (
            campaign.webinar_id
            and user.email in opened
            and rnd() < (OPENER_REGISTERS_P_FAN if user.webinar_fan else OPENER_REGISTERS_P)
        ):
            title = dict(catalog.WEBINARS)[campaign.webinar_id]
            plan = [("webinar_registration", {"webinar_id": campaign.webinar_id, "webinar_title": title}, {})]
            self._session(user, opened[user.email] + MINUTE_MS + int(rnd() * 30 * MINUTE_MS), plan)
        elif campaign.webinar_id and user.email not in opened and user.webinar_fan and rnd() < FAN_REGISTERS_UNOPENED_P:
            # some fans register without opening the invitation (they heard of it elsewhere)
            title = dict(catalog.WEBINARS)[campaign.webinar_id]
            plan = [("webinar_registration", {"webinar_id": campaign.webinar_id, "webinar_title": title}, {})]
            self._session(user, t + HOUR_MS + int(rnd() * 47 * HOUR_MS), plan)
        return True

    def _unit_journey(self) -> bool:
        rng, rnd = self.rng, self.rnd
        journey: Journey = rng.choice(self.journeys)
        user = rng.choice(self.users)
        if user.email_opt_out != "NONE" or user.email_status != "ACTIVE":
            return True
        entry = self._uniform_time()
        run_id = journey.run_for(entry)
        for activity in journey.activities:
            t = entry + activity.offset_ms + int(rnd() * 10 * MINUTE_MS)
            if t >= self.end_ms:
                break
            if activity.kind == "SMS" and (not user.sms_endpoint_id or user.sms_opt_out != "NONE"):
                continue
            r = rnd()
            status, code = "SUCCESS", "200"
            for s, share, c in JOURNEY_STATUSES:
                r -= share
                if r < 0:
                    status, code = s, c
                    break
            endpoint_id = user.email_endpoint_id if activity.kind == "EMAIL" else user.sms_endpoint_id
            arrival = t + 20 + int(rnd() * 200)
            args = (
                endpoint_id,
                user.endpoint_json(activity.kind),
                journey.journey_id,
                run_id,
                activity.activity_id,
                activity.kind,
                status,
                code,
                t,
                arrival,
            )
            if self._emit(PINPOINT, self._f_journey_send, args, t, arrival):
                self.truth.journey_send(journey.journey_id)
            if status != "SUCCESS":
                continue
            if activity.kind == "EMAIL":
                mail = Mail(
                    message_id=ses_message_id(rng, "020000"),
                    producer="pinpoint",
                    sent_ms=t + 300 + int(rnd() * 1_200),
                    source="news@news.example.com",
                    destinations=(user.email,),
                    subject=activity.subject,
                    boundary=self._boundary(),
                    client_id=user.email_endpoint_id,
                    endpoint_id=user.email_endpoint_id,
                    endpoint_address=user.email,
                    journey_id=journey.journey_id,
                    journey_activity_id=activity.activity_id,
                    journey_run_id=run_id,
                )
                self._email(mail, [(user.email, user)], activity.link)
            else:
                sms = self._new_sms("pinpoint", user, t + 200 + int(rnd() * 800), activity.subject, "Promotional")
                sms.client_id = sms.endpoint_id = user.sms_endpoint_id
                sms.journey_id, sms.journey_activity_id, sms.journey_run_id = (
                    journey.journey_id,
                    activity.activity_id,
                    run_id,
                )
                self._pp_sms_flow(sms, user, promotional=True)
        return True

    def _unit_transactional_email(self) -> bool:
        user = self.rng.choice(self.users)
        self._email(
            self._pp_transactional_mail(user, self._uniform_time()),
            [(user.email, user)],
            "https://app.example.com/account",
        )
        return True
