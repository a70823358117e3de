"""Pinpoint campaigns, whatever their channel: audiences walked engaged users first, round-robin over campaigns,
and the ``_campaign.send`` record of each endpoint reached."""

from __future__ import annotations

from ingest.synthetic.planner import PINPOINT, PlannerCore
from ingest.synthetic.world import Campaign, Treatment, User

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


class PinpointCampaigns(PlannerCore):
    """Campaign audiences and sends, shared by the Pinpoint email and SMS channels."""

    def _audience(self, campaign: Campaign) -> list[User]:
        if not campaign.audience:
            rng = self.rng
            if campaign.channel == "SMS":
                eligible = [person for person in self.phone_users if person.sms_opt_out == "NONE"]
            else:
                eligible = [
                    person
                    for person in self.users
                    if person.email_opt_out == "NONE" and person.email_status == "ACTIVE"
                ]
            if campaign.webinar_id:
                first = [person for person in eligible if person.webinar_fan or person.persona == "engaged"]
            else:
                first = [person for person in eligible if person.persona == "engaged"]
            chosen = {person.index for person in first}
            rest = [person for person in eligible if person.index not in chosen]
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
        roll = self.rnd()
        for status, share in CAMPAIGN_STATUSES:
            roll -= share
            if roll < 0:
                return status
        return "SUCCESS"

    def _campaign_send(self, user: User, campaign: Campaign, treatment_id: str, status: str, at_ms: int) -> None:
        channel = campaign.channel
        endpoint_id = user.email_endpoint_id if channel == "EMAIL" else user.sms_endpoint_id
        arrival = at_ms + 20 + int(self.rnd() * 200)
        args = (
            endpoint_id,
            user.endpoint_json(channel),
            campaign.campaign_id,
            campaign.activity_id,
            treatment_id,
            channel,
            status,
            at_ms,
            arrival,
        )
        if self._emit(PINPOINT, self._f_campaign_send, args, at_ms, arrival):
            self.truth.campaign_send(campaign.campaign_id, treatment_id)

    def _launch(self, key: str, campaigns: list[Campaign]) -> tuple[Campaign, User, Treatment, int, str] | None:
        """The next endpoint of ``campaigns`` gets its ``_campaign.send``: (campaign, user, treatment, send time,
        status); None when every audience is done."""
        target = self._next_target(key, campaigns)
        if target is None:
            return None
        campaign, user = target
        treatment = self.rng.choice(campaign.treatments)
        sent = campaign.launch_ms + int(self.rnd() * campaign.spread_ms)
        status = self._status()
        self._campaign_send(user, campaign, treatment.treatment_id, status, sent)
        return campaign, user, treatment, sent, status
