"""Pinpoint email: campaigns (A/B treatments, webinar invitation, weekly digests) walking their audiences, journeys
(welcome series with an SMS step, abandoned cart) and transactional SendMessages."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.channels.pinpoint_campaigns import PinpointCampaigns
from ingest.synthetic.config import HOUR_MS, MINUTE_MS
from ingest.synthetic.planner import PINPOINT
from ingest.synthetic.records import Mail
from ingest.synthetic.world import (
    Campaign,
    Journey,
    User,
    ses_message_id,
    uuid_like,
)

#: Pinpoint ``journey_send_status`` values, their shares and status codes.
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


class PinpointEmail(PinpointCampaigns):
    """Pinpoint campaign, journey and transactional email."""

    def _pp_campaign_mail(self, campaign: Campaign, treatment_id: str, subject: str, user: User, at_ms: int) -> Mail:
        return Mail(
            message_id=ses_message_id(self.rng, "020000"),
            producer="pinpoint",
            sent_ms=at_ms + 300 + int(self.rnd() * 1_200),
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

    def _pp_transactional_mail(self, user: User, at_ms: int) -> Mail:
        """Pinpoint SendMessages to an address: ``client_id`` is a per-message UUID, not an endpoint."""
        rng = self.rng
        return Mail(
            message_id=ses_message_id(rng, "020000"),
            producer="pinpoint",
            sent_ms=at_ms,
            source=catalog.PINPOINT_TRANSACTIONAL_FROM,
            destinations=(user.email,),
            subject=rng.choice(catalog.PINPOINT_TRANSACTIONAL).format(n=rng.randrange(100_000, 999_999)),
            boundary=self._boundary(),
            client_id=uuid_like(rng),
        )

    def _unit_campaign_email(self) -> bool:
        campaigns = [
            campaign
            for campaign in self.campaigns
            if campaign.producer == "pinpoint" and campaign.channel == "EMAIL" and campaign is not self._seed_list
        ]
        launched = self._launch("pp-email", campaigns)
        if launched is None:
            return False
        campaign, user, treatment, at_ms, status = launched
        rnd = self.rnd
        if status != "SUCCESS":
            return True
        mail = self._pp_campaign_mail(campaign, treatment.treatment_id, treatment.subject, user, at_ms)
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
            self._session(user, at_ms + HOUR_MS + int(rnd() * 47 * HOUR_MS), plan)
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
            at_ms = entry + activity.offset_ms + int(rnd() * 10 * MINUTE_MS)
            if at_ms >= self.end_ms:
                break
            if activity.kind == "SMS" and (not user.sms_endpoint_id or user.sms_opt_out != "NONE"):
                continue
            roll = rnd()
            status, code = "SUCCESS", "200"
            for s, share, campaign in JOURNEY_STATUSES:
                roll -= share
                if roll < 0:
                    status, code = s, campaign
                    break
            endpoint_id = user.email_endpoint_id if activity.kind == "EMAIL" else user.sms_endpoint_id
            arrival = at_ms + 20 + int(rnd() * 200)
            args = (
                endpoint_id,
                user.endpoint_json(activity.kind),
                journey.journey_id,
                run_id,
                activity.activity_id,
                activity.kind,
                status,
                code,
                at_ms,
                arrival,
            )
            if self._emit(PINPOINT, self._f_journey_send, args, at_ms, arrival):
                self.truth.journey_send(journey.journey_id)
            if status != "SUCCESS":
                continue
            if activity.kind == "EMAIL":
                mail = Mail(
                    message_id=ses_message_id(rng, "020000"),
                    producer="pinpoint",
                    sent_ms=at_ms + 300 + int(rnd() * 1_200),
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
                sms = self._new_sms("pinpoint", user, at_ms + 200 + int(rnd() * 800), activity.subject, "Promotional")
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
