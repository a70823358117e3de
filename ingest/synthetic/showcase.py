"""Showcase messages: forced outcomes early in the window so every view has rows at any scale."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.config import MINUTE_MS
from ingest.synthetic.planner import PlannerCore


class Showcase(PlannerCore):
    """Messages whose outcome is forced."""

    def _showcase(self) -> None:
        """Messages whose outcome is forced, early in the window and never late, so that every event type and
        every view has rows at any scale (the seed-list campaign, a few SES and SMS messages)."""
        rng = self.rng
        self._late_enabled = False
        users = [person for person in self.users if person.email_opt_out == "NONE" and person.email_status == "ACTIVE"]
        at_ms = self.start_ms + self.span // 4
        step = min(10 * MINUTE_MS, self.span // 500)
        seed = self._seed_list
        for force in ("rendering_failure", "rejected", "hardbounce", "softbounce", "click", "complaint", "unsubscribe"):
            at_ms += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._campaign_send(user, seed, "0", "SUCCESS", at_ms)
            mail = self._pp_campaign_mail(seed, "0", seed.treatments[0].subject, user, at_ms)
            self._email(mail, [(user.email, user)], seed.treatments[0].link, force=force)
        for force in ("rendering_failure", "rejected", "hardbounce", "softbounce", "delay", "click", "complaint"):
            at_ms += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._email(
                self._ses_transactional_mail(user, at_ms),
                [(user.email, user)],
                "https://shop.example.com/orders",
                force=force,
            )
        for force in ("unsubscribe", "subscribe"):
            at_ms += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            mail = self._ses_newsletter_mail(self._newsletters[0], user, at_ms)
            self._email(mail, [(user.email, user)], self._newsletters[0].treatments[0].link, topics=True, force=force)
        at_ms += step + rng.randrange(1, 60_000)
        user = rng.choice(users)
        team = [(user.email, user), (catalog.EXTERNAL_ADDRESSES[0], None), (catalog.EXTERNAL_ADDRESSES[1], None)]
        self._email(
            self._ses_notice_mail(team, at_ms, tagged=True),
            team,
            "https://billing.example.com/invoices",
            force="hardbounce",
        )
        for force in ("complaint", "hardbounce"):
            at_ms += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._email(self._ses_notification_mail(user, at_ms), [(user.email, user)], "", force=force)
        if self.phone_users:
            for force in ("optout", "failure"):
                at_ms += step + rng.randrange(1, 60_000)
                user = rng.choice(
                    [person for person in self.phone_users if person.sms_opt_out == "NONE"] or self.phone_users
                )
                sms = self._new_sms(
                    "pinpoint", user, at_ms, "Englake: your parcel is out for delivery. STOP to opt out", "Promotional"
                )
                sms.client_id = sms.endpoint_id = user.sms_endpoint_id
                self._pp_sms_flow(sms, user, promotional=True, force=force)
            for final in catalog.EUM_FAILURES:
                at_ms += step + rng.randrange(1, 60_000)
                self._unit_eum(force=final, at=at_ms)
            at_ms = self._showcase_phone(at_ms, step)
            self._showcase_whatsapp(at_ms, step)
        self._late_enabled = True
