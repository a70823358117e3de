"""The life of one email message, shared by Pinpoint and SES: send, reject or rendering failure, delivery, bounces
(hard, soft, after a delivery delay), opens (bots included), clicks, complaints, unsubscribes and topic changes.

Each step is one ``_pp`` (Pinpoint ``_email.*``) or ``_ses`` (SES event publishing / notification) record; the
probabilities of each outcome are the named rates below.
"""

from __future__ import annotations

import math
from typing import Any

from ingest.synthetic import catalog
from ingest.synthetic.config import DAY_MS, HOUR_MS, MINUTE_MS, iso_ms
from ingest.synthetic.planner import PINPOINT, SES, PlannerCore
from ingest.synthetic.records import Mail
from ingest.synthetic.world import (
    User,
    ses_message_id,
)

#: Per message (not notifications): the template fails to render, or SES/Pinpoint rejects it after the send.
RENDERING_FAILURE_P = 0.003
REJECTED_P = 0.003
#: Per recipient: a hard bounce (unknown outside addresses, INACTIVE endpoints and everyone else), a soft bounce,
#: and (SES event publishing only) a DeliveryDelay first.
HARD_BOUNCE_P_EXTERNAL = 0.25
HARD_BOUNCE_P_INACTIVE = 0.15
HARD_BOUNCE_P = 0.018
SOFT_BOUNCE_P = 0.012
DELIVERY_DELAY_P = 0.02
#: After a DeliveryDelay, most are delivered hours later; the rest bounce (Transient) a day later.
DELAYED_THEN_DELIVERED_P = 0.75
#: Identity feedback notifications: a complaint per delivery.
NOTIFICATION_COMPLAINT_P = 0.01
#: Open and click probabilities of recipients outside the app (users carry their own ``open_p`` / ``click_p``).
EXTERNAL_OPEN_P = 0.3
EXTERNAL_CLICK_P = 0.2
#: SES only: a privacy proxy or scanner fetches the pixel right after delivery (``isBotEvent`` "Likely").
BOT_OPEN_P = 0.06
#: An opener opens again (and a third time); a clicker clicks twice.
SECOND_OPEN_P = 0.35
THIRD_OPEN_P = 0.12
SECOND_CLICK_P = 0.25
#: Pinpoint campaign/journey mail: an opener clicks the unsubscribe link.
UNSUBSCRIBE_LINK_P = 0.008
#: A complaint from someone who opened, and from someone who did not.
COMPLAINT_AFTER_OPEN_P = 0.0015
COMPLAINT_UNOPENED_P = 0.001
#: SES mail with topics: List-Unsubscribe (of all topics with ``UNSUBSCRIBE_ALL_P``, else one), or back in.
TOPIC_UNSUBSCRIBE_P = 0.006
TOPIC_RESUBSCRIBE_P = 0.002
UNSUBSCRIBE_ALL_P = 0.6
#: Documentation address ranges (RFC 5737) for open and click IPs.
DOCUMENTATION_NETS = ("192.0.2", "198.51.100", "203.0.113")


class EmailFunnel(PlannerCore):
    """Plans email messages end to end (both producers)."""

    def _ip(self) -> str:
        return f"{self.rng.choice(DOCUMENTATION_NETS)}.{self.rng.randrange(1, 255)}"

    def _boundary(self) -> str:
        return f"{self.rng.getrandbits(24)}_{self.rng.getrandbits(30)}.{self.rng.getrandbits(40)}"

    def _feedback_id(self) -> str:
        return ses_message_id(self.rng, "0100019")

    def _open_delay(self) -> int:
        # median ~1.5 h, long tail to days; at least 20 s
        return max(20_000, min(12 * DAY_MS, int(self.rng.lognormvariate(math.log(90 * MINUTE_MS), 1.6))))

    def _pp(
        self,
        mail: Mail,
        event_type: str,
        happened: int,
        obj_key: str,
        obj: dict[str, Any],
        *,
        named: tuple[str, ...] | None = None,
        link: str | None = None,
    ) -> bool:
        args = (mail, event_type, happened, obj_key, obj)
        if not self._emit(PINPOINT, self._f_pp_email, args, mail.sent_ms, happened):
            return False
        bounce_type = "Permanent" if event_type == "_email.hardbounce" else None
        self.truth.email_event(mail, "pinpoint", event_type, happened, named=named, bounce_type=bounce_type, link=link)
        return True

    def _ses(
        self,
        mail: Mail,
        event_type: str,
        happened: int,
        obj_key: str,
        obj: dict[str, Any],
        style: str,
        *,
        named: tuple[str, ...] | None = None,
        bounce_type: str | None = None,
        unsubscribed: bool = False,
        link: str | None = None,
        bot: bool = False,
    ) -> bool:
        if mail.notification:
            style = "notification"
        event_ms = happened if "timestamp" in obj else mail.sent_ms
        if not self._emit(SES, self._f_ses, (mail, event_type, obj_key, obj, style), event_ms, happened):
            return False
        self.truth.email_event(
            mail,
            "ses",
            event_type,
            happened,
            named=named,
            bounce_type=bounce_type,
            unsubscribed=unsubscribed,
            link=link,
            bot=bot,
            shows_subject=style != "bare",
        )
        return True

    def _email(
        self,
        mail: Mail,
        recipients: list[tuple[str, User | None]],
        link: str,
        *,
        topics: bool = False,
        force: str = "",
    ) -> dict[str, int]:
        """Plan the life of one email message; returns the first (human) open time per recipient.

        ``force`` makes one outcome certain (showcase messages): rendering_failure, rejected, hardbounce, softbounce,
        delay, or an engagement (click, complaint, unsubscribe, subscribe).
        """
        rng, rnd = self.rng, self.rnd
        pp = mail.producer == "pinpoint"
        notification = mail.notification
        sent = mail.sent_ms
        first_open: dict[str, int] = {}
        if not notification:
            self._pool[PINPOINT if pp else SES].append(mail)
        roll = rnd()
        if force == "rendering_failure":
            roll = 0.0
        elif force == "rejected":
            roll = RENDERING_FAILURE_P + REJECTED_P / 2
        elif force:
            roll = 1.0
        if not notification and roll < RENDERING_FAILURE_P:
            template = "WeeklyDigest" if mail.campaign_id else "OrderConfirmation"
            if pp:
                obj = {
                    "template_name": template,
                    "error_message": "Attribute 'FirstName' is not present in the rendering data.",
                }
                self._pp(mail, "_email.rendering_failure", sent + 5, "failure", obj)
            else:
                obj = {
                    "errorMessage": "Attribute 'order_number' is not present in the rendering data.",
                    "templateName": template,
                }
                self._ses(mail, "Rendering Failure", sent + 5, "failure", obj, "bare")
            return first_open
        if not notification:
            at_ms = sent + 20 + int(rnd() * 400)
            if pp:
                self._pp(mail, "_email.send", at_ms, "send", {})
            else:
                self._ses(mail, "Send", at_ms, "send", {}, "full")
            if roll < RENDERING_FAILURE_P + REJECTED_P:
                at_ms += 300 + int(rnd() * 900)
                if pp:
                    self._pp(mail, "_email.rejected", at_ms, "reject", {"reason": "Bad content"})
                else:
                    self._ses(mail, "Reject", at_ms, "reject", {"reason": "Bad content"}, "full")
                return first_open
        hard: list[str] = []
        soft: list[str] = []
        delayed: list[tuple[str, User | None]] = []
        delivered: list[tuple[str, User | None, int]] = []
        for addr, user in recipients:
            roll = rnd()
            if user is None:
                hard_p = HARD_BOUNCE_P_EXTERNAL
            else:
                hard_p = HARD_BOUNCE_P_INACTIVE if user.email_status == "INACTIVE" else HARD_BOUNCE_P
            delay_p = 0.0 if pp or notification else DELIVERY_DELAY_P
            if force == "hardbounce":
                roll = 0.0
            elif force == "softbounce":
                roll = hard_p + SOFT_BOUNCE_P / 2
            elif force == "delay":
                roll = hard_p + SOFT_BOUNCE_P + delay_p / 2
            elif force:
                roll = 1.0
            if roll < hard_p:
                hard.append(addr)
            elif roll < hard_p + SOFT_BOUNCE_P:
                soft.append(addr)
            elif roll < hard_p + SOFT_BOUNCE_P + delay_p:
                delayed.append((addr, user))
            else:
                delivered.append((addr, user, sent + 800 + int(rnd() * 14_000)))
        if hard:
            at_ms = sent + 1_000 + int(rnd() * 60_000)
            if pp:
                for addr in hard:
                    sub, action, status, diag = rng.choice(catalog.HARD_BOUNCES)
                    self._pp(
                        mail,
                        "_email.hardbounce",
                        at_ms,
                        "bounce",
                        self._pp_bounce("Permanent", sub, [(addr, action, status, diag)]),
                        named=(addr,),
                    )
            else:
                sub, action, status, diag = rng.choice(catalog.HARD_BOUNCES)
                obj = self._ses_bounce("Permanent", sub, [(addr, action, status, diag) for addr in hard], at_ms)
                self._ses(mail, "Bounce", at_ms, "bounce", obj, "full", named=tuple(hard), bounce_type="Permanent")
        if soft:
            at_ms = sent + 4 * HOUR_MS + int(rnd() * 8 * HOUR_MS)
            btype, sub, action, status, diag = rng.choice(catalog.SOFT_BOUNCES)
            entries = [(addr, action, status, diag) for addr in soft]
            if pp:
                for entry in entries:
                    self._pp(
                        mail,
                        "_email.softbounce",
                        at_ms,
                        "bounce",
                        self._pp_bounce(btype, sub, [entry]),
                        named=(entry[0],),
                    )
            else:
                obj = self._ses_bounce(btype, sub, entries, at_ms)
                self._ses(mail, "Bounce", at_ms, "bounce", obj, "full", named=tuple(soft), bounce_type=btype)
        if delayed:  # SES only: DeliveryDelay, then most are delivered hours later, the rest bounce
            at_ms = sent + 5 * MINUTE_MS + int(rnd() * 25 * MINUTE_MS)
            delay_type, status, diag = rng.choice(catalog.DELAY_TYPES)
            obj = {
                "timestamp": iso_ms(at_ms),
                "delayType": delay_type,
                "expirationTime": iso_ms(at_ms + DAY_MS),
                "delayedRecipients": [
                    {"emailAddress": addr, "status": status, "diagnosticCode": diag} for addr, _ in delayed
                ],
                "reportingMTA": rng.choice(catalog.REPORTING_MTAS),
            }
            self._ses(
                mail, "DeliveryDelay", at_ms, "deliveryDelay", obj, "bare", named=tuple(addr for addr, _ in delayed)
            )
            gave_up = []
            for k, (addr, user) in enumerate(delayed):
                if rnd() < DELAYED_THEN_DELIVERED_P or (force == "delay" and k == 0):
                    delivered.append((addr, user, at_ms + HOUR_MS + int(rnd() * 7 * HOUR_MS)))
                else:
                    gave_up.append(addr)
            if gave_up:
                tb = at_ms + DAY_MS + int(rnd() * HOUR_MS)
                obj = self._ses_bounce(
                    "Transient",
                    "General",
                    [(addr, "failed", "4.4.7", "smtp; 421 4.4.7 Message expired") for addr in gave_up],
                    tb,
                )
                self._ses(mail, "Bounce", tb, "bounce", obj, "full", named=tuple(gave_up), bounce_type="Transient")
        for addr, user, t_delivered in delivered:
            processing = t_delivered - sent
            mta = rng.choice(catalog.REPORTING_MTAS)
            if pp:
                obj = {
                    "smtp_response": f"250 ok:  Message {rng.randrange(10**7, 10**8)} accepted",
                    "reporting_mta": mta,
                    "recipients": [addr],
                    "processing_time_millis": processing,
                }
                self._pp(mail, "_email.delivered", t_delivered, "delivery", obj, named=(addr,))
            else:
                obj = {
                    "timestamp": iso_ms(t_delivered),
                    "processingTimeMillis": processing,
                    "recipients": [addr],
                    "smtpResponse": "250 2.6.0 Message received",
                    "remoteMtaIp": self._ip(),
                    "reportingMTA": mta,
                }
                self._ses(mail, "Delivery", t_delivered, "delivery", obj, "full", named=(addr,))
            if notification:
                if rnd() < NOTIFICATION_COMPLAINT_P or force == "complaint":
                    self._complaint(mail, addr, t_delivered + HOUR_MS + int(rnd() * 24 * HOUR_MS))
                continue
            opened = self._engage(mail, addr, user, t_delivered, link, topics, force)
            if opened is not None:
                first_open[addr] = opened
        return first_open

    def _engage(
        self, mail: Mail, addr: str, user: User | None, t_delivered: int, link: str, topics: bool, force: str = ""
    ) -> int | None:
        rng, rnd = self.rng, self.rnd
        pp = mail.producer == "pinpoint"
        open_p = user.open_p if user is not None else EXTERNAL_OPEN_P
        click_p = user.click_p if user is not None else EXTERNAL_CLICK_P
        if not pp and rnd() < BOT_OPEN_P:  # a privacy proxy / scanner fetches the pixel right after delivery
            at_ms = t_delivered + 1_000 + int(rnd() * 30_000)
            obj = {
                "ipAddress": self._ip(),
                "timestamp": iso_ms(at_ms),
                "userAgent": rng.choice(catalog.BOT_USER_AGENTS),
                "isBotEvent": "Likely",
            }
            self._ses(mail, "Open", at_ms, "open", obj, "engagement", bot=True)
        first: int | None = None
        if rnd() < open_p or force in ("click", "complaint", "unsubscribe"):
            # forced (showcase) engagement happens soon, so it lands even in a one-day window
            first = at_ms = t_delivered + (MINUTE_MS + int(rnd() * 20 * MINUTE_MS) if force else self._open_delay())
            agent, ip = rng.choice(catalog.USER_AGENTS), self._ip()
            for k in range(1 + (rnd() < SECOND_OPEN_P) + (rnd() < THIRD_OPEN_P)):
                if k:
                    at_ms += 10 * MINUTE_MS + int(rnd() * 2 * DAY_MS)
                if pp:
                    self._pp(mail, "_email.open", at_ms, "open", {"ip_address": ip, "user_agent": agent})
                else:
                    obj = {"ipAddress": ip, "timestamp": iso_ms(at_ms), "userAgent": agent, "isBotEvent": "Unlikely"}
                    self._ses(mail, "Open", at_ms, "open", obj, "engagement")
            if rnd() < click_p or force == "click":
                tc = first
                for _ in range(1 + (rnd() < SECOND_CLICK_P)):
                    tc += 5_000 + int(rnd() * 10 * MINUTE_MS)
                    if pp:
                        obj = {"ip_address": ip, "user_agent": agent, "link": link}
                        self._pp(mail, "_email.click", tc, "click", obj, link=link)
                    else:
                        obj = {
                            "ipAddress": ip,
                            "link": link,
                            "linkTags": {
                                "link_id": ["hero_cta"],
                                "section": [rng.choice(("header", "body", "footer"))],
                            },
                            "timestamp": iso_ms(tc),
                            "userAgent": agent,
                            "isBotEvent": "Unlikely",
                        }
                        self._ses(mail, "Click", tc, "click", obj, "engagement", link=link)
            if pp and (mail.campaign_id or mail.journey_id) and (rnd() < UNSUBSCRIBE_LINK_P or force == "unsubscribe"):
                tu = first + 10_000 + int(rnd() * 5 * MINUTE_MS)
                unsub = "https://news.example.com/unsubscribe"
                obj = {
                    "ip_address": ip,
                    "user_agent": agent,
                    "link": unsub,
                    "link_tags": {"unsubscribeLinkTag": ["footer"]},
                }
                self._pp(mail, "_email.unsubscribe", tu, "click", obj, link=unsub)
            if rnd() < COMPLAINT_AFTER_OPEN_P or force == "complaint":
                self._complaint(mail, addr, first + (HOUR_MS if force else HOUR_MS + int(rnd() * 48 * HOUR_MS)))
        elif rnd() < COMPLAINT_UNOPENED_P:
            self._complaint(mail, addr, t_delivered + HOUR_MS + int(rnd() * 72 * HOUR_MS))
        if topics:
            roll = rnd()
            if force == "unsubscribe":
                roll = 0.0
            elif force == "subscribe":
                roll = TOPIC_UNSUBSCRIBE_P + TOPIC_RESUBSCRIBE_P / 2
            if roll < TOPIC_UNSUBSCRIBE_P:  # List-Unsubscribe: all topics, or one topic
                at_ms = t_delivered + 30 * MINUTE_MS + int(rnd() * 2 * DAY_MS)
                if rnd() < UNSUBSCRIBE_ALL_P:
                    new = {
                        "unsubscribeAll": True,
                        "topicSubscriptionStatus": [
                            {"topicName": n, "subscriptionStatus": "OptOut"} for n in catalog.SES_TOPICS
                        ],
                    }
                else:
                    new = {
                        "unsubscribeAll": False,
                        "topicSubscriptionStatus": [
                            {"topicName": catalog.SES_TOPICS[0], "subscriptionStatus": "OptOut"},
                            {"topicName": catalog.SES_TOPICS[1], "subscriptionStatus": "OptIn"},
                        ],
                    }
                old = {
                    "unsubscribeAll": False,
                    "topicSubscriptionStatus": [
                        {"topicName": n, "subscriptionStatus": "OptIn"} for n in catalog.SES_TOPICS
                    ],
                }
                self._subscription(mail, at_ms, new, old, "UnsubscribeHeader", unsubscribed=True)
            elif roll < TOPIC_UNSUBSCRIBE_P + TOPIC_RESUBSCRIBE_P:  # back in: an opt-in ("email_subscribe", in no view)
                at_ms = t_delivered + HOUR_MS + int(rnd() * 3 * DAY_MS)
                new = {
                    "unsubscribeAll": False,
                    "topicSubscriptionStatus": [
                        {"topicName": n, "subscriptionStatus": "OptIn"} for n in catalog.SES_TOPICS
                    ],
                }
                old = {
                    "unsubscribeAll": False,
                    "topicSubscriptionStatus": [
                        {"topicName": catalog.SES_TOPICS[0], "subscriptionStatus": "OptIn"},
                        {"topicName": catalog.SES_TOPICS[1], "subscriptionStatus": "OptOut"},
                    ],
                }
                self._subscription(mail, at_ms, new, old, "UnsubscribeLink", unsubscribed=False)
        return first

    def _subscription(
        self, mail: Mail, at_ms: int, new: dict[str, Any], old: dict[str, Any], source: str, *, unsubscribed: bool
    ) -> None:
        obj = {
            "contactList": catalog.SES_CONTACT_LIST,
            "timestamp": iso_ms(at_ms),
            "source": source,
            "newTopicPreferences": new,
            "oldTopicPreferences": old,
        }
        self._ses(mail, "Subscription", at_ms, "subscription", obj, "full", unsubscribed=unsubscribed)

    def _complaint(self, mail: Mail, addr: str, at_ms: int) -> None:
        feedback_type = self.rng.choice(catalog.COMPLAINT_TYPES)
        agent = "Yahoo!-Mail-Feedback/2.0"
        if mail.producer == "pinpoint":
            obj = {
                "complained_recipients": [{"email_address": addr}],
                "feedback_id": self._feedback_id(),
                "user_agent": agent,
                "complaint_feedback_type": feedback_type,
            }
            self._pp(mail, "_email.complaint", at_ms, "complaint", obj, named=(addr,))
        else:
            obj = {
                "complainedRecipients": [{"emailAddress": addr}],
                "timestamp": iso_ms(at_ms),
                "feedbackId": self._feedback_id(),
                "userAgent": agent,
                "complaintFeedbackType": feedback_type,
                "arrivalDate": iso_ms(at_ms - 1_000),
            }
            self._ses(mail, "Complaint", at_ms, "complaint", obj, "full", named=(addr,))

    def _pp_bounce(self, bounce_type: str, sub: str, entries: list[tuple[Any, ...]]) -> dict[str, Any]:
        """Pinpoint bounce facet, as AWS's events-database DDL and sample code read it (no documented example)."""
        return {
            "bounce_type": bounce_type,
            "bounce_sub_type": sub,
            "bounced_recipients": [
                {
                    "email_address": addr,
                    "action": action,
                    "status": status,
                    "diagnostic_code": (diag or "").replace("{addr}", addr),
                }
                if action
                else {"email_address": addr}
                for addr, action, status, diag in entries
            ],
            "feedback_id": self._feedback_id(),
            "reporting_mta": "dsn; " + self.rng.choice(catalog.REPORTING_MTAS),
        }

    def _ses_bounce(self, bounce_type: str, sub: str, entries: list[tuple[Any, ...]], at_ms: int) -> dict[str, Any]:
        recipients = []
        for addr, action, status, diag in entries:
            if action:  # a DSN was attached
                recipients.append(
                    {
                        "emailAddress": addr,
                        "action": action,
                        "status": status,
                        "diagnosticCode": diag.replace("{addr}", addr),
                    }
                )
            else:
                recipients.append({"emailAddress": addr})
        return {
            "bounceType": bounce_type,
            "bounceSubType": sub,
            "bouncedRecipients": recipients,
            "timestamp": iso_ms(at_ms),
            "feedbackId": self._feedback_id(),
            "reportingMTA": "dsn; " + self.rng.choice(catalog.REPORTING_MTAS),
        }
