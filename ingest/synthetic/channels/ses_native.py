"""SES-native email through configuration sets: newsletters with topic subscriptions, transactional mail,
multi-recipient billing notices, and identity feedback notifications (``notificationType``)."""

from __future__ import annotations

from ingest.synthetic import catalog
from ingest.synthetic.planner import PlannerCore
from ingest.synthetic.records import Mail
from ingest.synthetic.world import (
    Campaign,
    User,
    ses_message_id,
)

#: Kinds of SES-native mail: newsletter (campaign, topics), transactional, billing notice to a team, identity
#: notification — cumulative thresholds of one roll.
NEWSLETTER_P = 0.35
TRANSACTIONAL_BELOW = 0.85
NOTICE_BELOW = 0.95
#: When newsletters have no audience left, the roll falls back to this (a transactional mail).
NO_NEWSLETTER_ROLL = 0.5
#: A billing notice belongs to the ``ses-account-notices`` campaign (``campaign`` tag).
TAGGED_NOTICE_P = 0.4
#: A team member is another user (else an outside address).
TEAM_MEMBER_IS_USER_P = 0.5


class SesNative(PlannerCore):
    """SES event publishing and notifications."""

    def _ses_newsletter_mail(self, campaign: Campaign, user: User, at_ms: int) -> Mail:
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=at_ms,
            source="Englake Newsletter <newsletter@news.example.com>",
            destinations=(user.email,),
            subject=campaign.treatments[0].subject,
            boundary=self._boundary(),
            campaign_id=campaign.campaign_id,
            config_set=catalog.SES_CONFIG_MARKETING,
            tags={"campaign": [campaign.campaign_id], "message_type": ["newsletter"]},
            list_unsubscribe=True,
        )

    def _ses_transactional_mail(self, user: User, at_ms: int) -> Mail:
        kind, subject, source = self.rng.choice(catalog.SES_TRANSACTIONAL)
        user.order_seq += 1
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=at_ms,
            source=source,
            destinations=(user.email,),
            subject=subject.format(n=10_000 + user.index * 10 + user.order_seq % 10),
            boundary=self._boundary(),
            config_set=catalog.SES_CONFIG_TRANSACTIONAL,
            tags={"message_type": [kind]},
        )

    def _ses_notice_mail(self, recipients: list[tuple[str, User | None]], at_ms: int, tagged: bool) -> Mail:
        """A billing notice to a team (2–3 recipients, some outside the app); tagged ones belong to a campaign."""
        rng = self.rng
        subject, source = rng.choice(catalog.SES_ACCOUNT_NOTICES)
        tags = {"campaign": ["ses-account-notices"], "message_type": ["account_notice"]}
        if not tagged:
            del tags["campaign"]
        return Mail(
            message_id=ses_message_id(rng),
            producer="ses",
            sent_ms=at_ms,
            source=source,
            destinations=tuple(addr for addr, _ in recipients),
            subject=subject.format(n=f"INV-{rng.randrange(10_000, 99_999)}"),
            boundary=self._boundary(),
            campaign_id="ses-account-notices" if tagged else None,
            config_set=catalog.SES_CONFIG_TRANSACTIONAL,
            tags=tags,
        )

    def _ses_notification_mail(self, user: User, at_ms: int) -> Mail:
        """Identity feedback notifications (``notificationType``): Delivery/Bounce/Complaint only, no tags."""
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=at_ms,
            source="alerts@ops.example.com",
            destinations=(user.email,),
            subject="Sicherheitshinweis: neue Anmeldung 🔐",
            boundary=self._boundary(),
            notification=True,
        )

    def _team(self, user: User) -> list[tuple[str, User | None]]:
        rng = self.rng
        recipients: list[tuple[str, User | None]] = [(user.email, user)]
        for _ in range(rng.randint(1, 2)):
            if self.rnd() < TEAM_MEMBER_IS_USER_P:
                other = rng.choice(self.users)
                candidate: tuple[str, User | None] = (other.email, other)
            else:
                candidate = (rng.choice(catalog.EXTERNAL_ADDRESSES), None)
            if candidate[0] not in {addr for addr, _ in recipients}:
                recipients.append(candidate)
        return recipients

    def _unit_ses(self) -> bool:
        rng, rnd = self.rng, self.rnd
        roll = rnd()
        if roll < NEWSLETTER_P:
            target = self._next_target("ses-newsletter", self._newsletters)
            if target is not None:
                campaign, user = target
                mail = self._ses_newsletter_mail(campaign, user, campaign.launch_ms + int(rnd() * campaign.spread_ms))
                self._email(mail, [(user.email, user)], campaign.treatments[0].link, topics=True)
                return True
            roll = NO_NEWSLETTER_ROLL
        user = rng.choice(self.users)
        at_ms = self._uniform_time()
        if roll < TRANSACTIONAL_BELOW:
            self._email(
                self._ses_transactional_mail(user, at_ms), [(user.email, user)], "https://shop.example.com/orders"
            )
        elif roll < NOTICE_BELOW:
            recipients = self._team(user)
            mail = self._ses_notice_mail(recipients, at_ms, tagged=rnd() < TAGGED_NOTICE_P)
            self._email(mail, recipients, "https://billing.example.com/invoices")
        else:
            self._email(self._ses_notification_mail(user, at_ms), [(user.email, user)], "")
        return True
