"""What happens in the synthetic lake: campaigns and journeys reach endpoints, email runs its funnel, SMS reaches
carriers, people use the app — plus the messy parts of real streams.

The planner draws every choice from one ``random.Random(seed)`` and records, per record line, only what rendering
needs (``records.Renderer`` is pure), so records can be rendered lazily in arrival order and duplicates are
byte-identical. Each distinct event that lands before ``end`` is told to the ``TruthBuilder`` at the moment it is
planned; the truth never looks at rendered text.

Time model (all epoch ms, naive UTC):

- ``happened``: when the thing happened (open, delivery, carrier receipt, app event).
- the record's own event time: Pinpoint ``event_timestamp`` (the *send* time for email events), SES event object
  ``timestamp`` (``mail.timestamp`` for Send/Reject/Rendering Failure), EUM ``eventTimestamp``.
- Pinpoint ``arrival_timestamp``: when Pinpoint received it (= ``happened`` for email; later for offline app
  batches; a few ms *before* ``event_timestamp`` for some ``_SMS.*`` records, as in AWS's own example).
- Firehose arrival (``RawRecord.arrival``): a few seconds after the latest of those; late records hours or days later.
  Records whose Firehose arrival is at or after ``end`` have not landed yet and do not exist.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from ingest.layout import Producer
from ingest.synthetic import catalog
from ingest.synthetic.config import DAY_MS, HOUR_MS, GeneratorConfig, iso_ms, to_ms
from ingest.synthetic.records import Mail, Renderer, Sms
from ingest.synthetic.truth import PINPOINT_SMS_FINAL, TruthBuilder
from ingest.synthetic.world import (
    Campaign,
    Journey,
    User,
    build_campaigns,
    build_journeys,
    build_users,
    hex_id,
    ses_message_id,
    uuid_like,
)

PINPOINT, SES, SMS = Producer.PINPOINT, Producer.SES, Producer.SMS
MINUTE_MS = 60_000

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

Entry = tuple[int, int, Producer | None, Callable[..., str], tuple[Any, ...]]


class Planner:
    """Plans every record of one synthetic lake and accumulates its ground truth."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        start, end = config.window()
        self.start_ms, self.end_ms = to_ms(start), to_ms(end)
        self.span = self.end_ms - self.start_ms
        self.rng = random.Random(config.seed)
        self.rnd = self.rng.random
        self.r = Renderer(config.application_id, config.aws_account_id, config.region)
        self.truth = TruthBuilder(config.seed, start, end, config.application_id)
        self.entries: list[Entry] = []
        self.seq = 0
        self.produced = 0
        self._late_cut = config.very_late_rate + config.late_rate
        self._late_enabled = True
        self._new_field_quota = {PINPOINT: 1, SES: 1, SMS: 1}
        # bound renderers, stored once and shared by every entry
        self._f_pp_email = self.r.pinpoint_email
        self._f_pp_sms = self.r.pinpoint_sms
        self._f_campaign_send = self.r.pinpoint_campaign_send
        self._f_journey_send = self.r.pinpoint_journey_send
        self._f_app = self.r.pinpoint_app
        self._f_ses = self.r.ses
        self._f_eum = self.r.eum
        # the world
        self.users = build_users(self.rng, max(40, config.events // 25), self.start_ms, self.end_ms)
        for u in self.users:
            self.truth.add_endpoint(u.email_endpoint_id, "EMAIL", u.email, u.user_id)
            if u.sms_endpoint_id and u.phone:
                self.truth.add_endpoint(u.sms_endpoint_id, "SMS", u.phone, u.user_id)
                self.truth.set_opt_out(u.sms_endpoint_id, u.sms_opt_out)
            self.truth.set_opt_out(u.email_endpoint_id, u.email_opt_out)
        self.phone_users = [u for u in self.users if u.phone]
        self.campaigns = build_campaigns(self.rng, self.start_ms, self.end_ms)
        self.journeys = build_journeys(self.rng, self.start_ms, self.end_ms)
        for c in self.campaigns:
            self.truth.campaign_catalog[c.campaign_id] = {
                "name": c.name,
                "channel": c.channel,
                "producer": c.producer,
                "webinar_id": c.webinar_id,
                "treatments": {t.treatment_id: t.subject for t in c.treatments},
            }
        for j in self.journeys:
            self.truth.journey_catalog[j.journey_id] = {
                "name": j.name,
                "activities": {a.activity_id: a.kind for a in j.activities},
            }
        self._rr: dict[str, int] = {}
        self._seed_list = next(c for c in self.campaigns if c.name == "Seed-list check")
        self._newsletters = [
            c for c in self.campaigns if c.producer == "ses" and c.campaign_id != "ses-account-notices"
        ]
        self._app_cum = []
        total = 0.0
        for u in self.users:
            total += 4.0 if u.shopper else 1.0
            self._app_cum.append(total)
        # messages to hang unknown event types on
        self._pool: dict[Producer, list[Any]] = {PINPOINT: [], SES: [], SMS: []}

    # ==========================================================================================================
    # Emission: one line, its Firehose arrival, maybe a duplicate, and the line-level truth.

    def _push(self, arrival: int, producer: Producer | None, fn: Callable[..., str], args: tuple[Any, ...]) -> None:
        self.seq += 1
        self.entries.append((arrival, self.seq, producer, fn, args))

    def _emit(
        self,
        producer: Producer,
        fn: Callable[..., str],
        args: tuple[Any, ...],
        event_ms: int,
        ready_ms: int,
        *,
        late: bool = True,
    ) -> bool:
        """Plan one valid record; False when it would reach Firehose at or after ``end`` (then it does not exist)."""
        rnd = self.rnd
        arrival = ready_ms + 20 + int(rnd() * 2980)
        if late and self._late_enabled:
            r = rnd()
            if r < self.config.very_late_rate:
                arrival += DAY_MS + int(rnd() * 4 * DAY_MS)
            elif r < self._late_cut:
                arrival += HOUR_MS + int(rnd() * 11 * HOUR_MS)
        if arrival >= self.end_ms:
            return False
        new_fields = rnd() < self.config.new_field_rate
        if not new_fields and self._new_field_quota[producer] and rnd() < 0.05:
            new_fields = True
        if new_fields:
            self._new_field_quota[producer] = 0
        args = (*args, new_fields)
        self._push(arrival, producer, fn, args)
        self.truth.line(producer, late=arrival - event_ms >= HOUR_MS, new_fields=new_fields)
        self.produced += 1
        if rnd() < self.config.duplicate_rate:
            if rnd() < 0.85:
                copy = arrival + MINUTE_MS + int(rnd() * 9 * MINUTE_MS)
            else:
                copy = arrival + HOUR_MS + int(rnd() * 2 * HOUR_MS)
            if copy < self.end_ms:
                self._push(copy, producer, fn, args)
                self.truth.line(producer, duplicate=True, late=copy - event_ms >= HOUR_MS, new_fields=new_fields)
        return True

    # ==========================================================================================================
    # Small helpers

    def _ip(self) -> str:
        return f"{self.rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{self.rng.randrange(1, 255)}"

    def _boundary(self) -> str:
        return f"{self.rng.getrandbits(24)}_{self.rng.getrandbits(30)}.{self.rng.getrandbits(40)}"

    def _feedback_id(self) -> str:
        return ses_message_id(self.rng, "0100019")

    def _open_delay(self) -> int:
        # median ~1.5 h, long tail to days; at least 20 s
        return max(20_000, min(12 * DAY_MS, int(self.rng.lognormvariate(math.log(90 * MINUTE_MS), 1.6))))

    def _user_for_app(self) -> User:
        return self.rng.choices(self.users, cum_weights=self._app_cum)[0]

    def _uniform_time(self) -> int:
        return self.start_ms + int(self.rnd() * self.span)

    # ==========================================================================================================
    # Email: the funnel, rendered per producer

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
            roll = 0.004
        elif force:
            roll = 1.0
        if not notification and roll < 0.003:
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
            t = sent + 20 + int(rnd() * 400)
            if pp:
                self._pp(mail, "_email.send", t, "send", {})
            else:
                self._ses(mail, "Send", t, "send", {}, "full")
            if roll < 0.006:
                t += 300 + int(rnd() * 900)
                if pp:
                    self._pp(mail, "_email.rejected", t, "reject", {"reason": "Bad content"})
                else:
                    self._ses(mail, "Reject", t, "reject", {"reason": "Bad content"}, "full")
                return first_open
        hard: list[str] = []
        soft: list[str] = []
        delayed: list[tuple[str, User | None]] = []
        delivered: list[tuple[str, User | None, int]] = []
        for addr, user in recipients:
            r = rnd()
            hard_p = 0.25 if user is None else (0.15 if user.email_status == "INACTIVE" else 0.018)
            delay_p = 0.0 if pp or notification else 0.02
            if force == "hardbounce":
                r = 0.0
            elif force == "softbounce":
                r = hard_p + 0.001
            elif force == "delay":
                r = hard_p + 0.012 + delay_p / 2
            elif force:
                r = 1.0
            if r < hard_p:
                hard.append(addr)
            elif r < hard_p + 0.012:
                soft.append(addr)
            elif r < hard_p + 0.012 + delay_p:
                delayed.append((addr, user))
            else:
                delivered.append((addr, user, sent + 800 + int(rnd() * 14_000)))
        if hard:
            t = sent + 1_000 + int(rnd() * 60_000)
            if pp:
                for addr in hard:
                    sub, action, status, diag = rng.choice(catalog.HARD_BOUNCES)
                    self._pp(
                        mail,
                        "_email.hardbounce",
                        t,
                        "bounce",
                        self._pp_bounce("Permanent", sub, [(addr, action, status, diag)]),
                        named=(addr,),
                    )
            else:
                sub, action, status, diag = rng.choice(catalog.HARD_BOUNCES)
                obj = self._ses_bounce("Permanent", sub, [(addr, action, status, diag) for addr in hard], t)
                self._ses(mail, "Bounce", t, "bounce", obj, "full", named=tuple(hard), bounce_type="Permanent")
        if soft:
            t = sent + 4 * HOUR_MS + int(rnd() * 8 * HOUR_MS)
            btype, sub, action, status, diag = rng.choice(catalog.SOFT_BOUNCES)
            entries = [(addr, action, status, diag) for addr in soft]
            if pp:
                for e in entries:
                    self._pp(mail, "_email.softbounce", t, "bounce", self._pp_bounce(btype, sub, [e]), named=(e[0],))
            else:
                obj = self._ses_bounce(btype, sub, entries, t)
                self._ses(mail, "Bounce", t, "bounce", obj, "full", named=tuple(soft), bounce_type=btype)
        if delayed:  # SES only: DeliveryDelay, then most are delivered hours later, the rest bounce
            t = sent + 5 * MINUTE_MS + int(rnd() * 25 * MINUTE_MS)
            delay_type, status, diag = rng.choice(catalog.DELAY_TYPES)
            obj = {
                "timestamp": iso_ms(t),
                "delayType": delay_type,
                "expirationTime": iso_ms(t + DAY_MS),
                "delayedRecipients": [
                    {"emailAddress": a, "status": status, "diagnosticCode": diag} for a, _ in delayed
                ],
                "reportingMTA": rng.choice(catalog.REPORTING_MTAS),
            }
            self._ses(mail, "DeliveryDelay", t, "deliveryDelay", obj, "bare", named=tuple(a for a, _ in delayed))
            gave_up = []
            for k, (addr, user) in enumerate(delayed):
                if rnd() < 0.75 or (force == "delay" and k == 0):
                    delivered.append((addr, user, t + HOUR_MS + int(rnd() * 7 * HOUR_MS)))
                else:
                    gave_up.append(addr)
            if gave_up:
                tb = t + DAY_MS + int(rnd() * HOUR_MS)
                obj = self._ses_bounce(
                    "Transient",
                    "General",
                    [(a, "failed", "4.4.7", "smtp; 421 4.4.7 Message expired") for a in gave_up],
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
                if rnd() < 0.01 or force == "complaint":
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
        open_p = user.open_p if user is not None else 0.3
        click_p = user.click_p if user is not None else 0.2
        if not pp and rnd() < 0.06:  # a privacy proxy / scanner fetches the pixel right after delivery
            t = t_delivered + 1_000 + int(rnd() * 30_000)
            obj = {
                "ipAddress": self._ip(),
                "timestamp": iso_ms(t),
                "userAgent": rng.choice(catalog.BOT_USER_AGENTS),
                "isBotEvent": "Likely",
            }
            self._ses(mail, "Open", t, "open", obj, "engagement", bot=True)
        first: int | None = None
        if rnd() < open_p or force in ("click", "complaint", "unsubscribe"):
            # forced (showcase) engagement happens soon, so it lands even in a one-day window
            first = t = t_delivered + (MINUTE_MS + int(rnd() * 20 * MINUTE_MS) if force else self._open_delay())
            agent, ip = rng.choice(catalog.USER_AGENTS), self._ip()
            for k in range(1 + (rnd() < 0.35) + (rnd() < 0.12)):
                if k:
                    t += 10 * MINUTE_MS + int(rnd() * 2 * DAY_MS)
                if pp:
                    self._pp(mail, "_email.open", t, "open", {"ip_address": ip, "user_agent": agent})
                else:
                    obj = {"ipAddress": ip, "timestamp": iso_ms(t), "userAgent": agent, "isBotEvent": "Unlikely"}
                    self._ses(mail, "Open", t, "open", obj, "engagement")
            if rnd() < click_p or force == "click":
                tc = first
                for _ in range(1 + (rnd() < 0.25)):
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
            if pp and (mail.campaign_id or mail.journey_id) and (rnd() < 0.008 or force == "unsubscribe"):
                tu = first + 10_000 + int(rnd() * 5 * MINUTE_MS)
                unsub = "https://news.example.com/unsubscribe"
                obj = {
                    "ip_address": ip,
                    "user_agent": agent,
                    "link": unsub,
                    "link_tags": {"unsubscribeLinkTag": ["footer"]},
                }
                self._pp(mail, "_email.unsubscribe", tu, "click", obj, link=unsub)
            if rnd() < 0.0015 or force == "complaint":
                self._complaint(mail, addr, first + (HOUR_MS if force else HOUR_MS + int(rnd() * 48 * HOUR_MS)))
        elif rnd() < 0.001:
            self._complaint(mail, addr, t_delivered + HOUR_MS + int(rnd() * 72 * HOUR_MS))
        if topics:
            r = rnd()
            if force == "unsubscribe":
                r = 0.0
            elif force == "subscribe":
                r = 0.007
            if r < 0.006:  # List-Unsubscribe: all topics, or one topic
                t = t_delivered + 30 * MINUTE_MS + int(rnd() * 2 * DAY_MS)
                if rnd() < 0.6:
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
                self._subscription(mail, t, new, old, "UnsubscribeHeader", unsubscribed=True)
            elif r < 0.008:  # back in: an opt-in ("email_subscribe", in no view)
                t = t_delivered + HOUR_MS + int(rnd() * 3 * DAY_MS)
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
                self._subscription(mail, t, new, old, "UnsubscribeLink", unsubscribed=False)
        return first

    def _subscription(
        self, mail: Mail, t: int, new: dict[str, Any], old: dict[str, Any], source: str, *, unsubscribed: bool
    ) -> None:
        obj = {
            "contactList": catalog.SES_CONTACT_LIST,
            "timestamp": iso_ms(t),
            "source": source,
            "newTopicPreferences": new,
            "oldTopicPreferences": old,
        }
        self._ses(mail, "Subscription", t, "subscription", obj, "full", unsubscribed=unsubscribed)

    def _complaint(self, mail: Mail, addr: str, t: int) -> None:
        feedback_type = self.rng.choice(catalog.COMPLAINT_TYPES)
        agent = "Yahoo!-Mail-Feedback/2.0"
        if mail.producer == "pinpoint":
            obj = {
                "complained_recipients": [{"email_address": addr}],
                "feedback_id": self._feedback_id(),
                "user_agent": agent,
                "complaint_feedback_type": feedback_type,
            }
            self._pp(mail, "_email.complaint", t, "complaint", obj, named=(addr,))
        else:
            obj = {
                "complainedRecipients": [{"emailAddress": addr}],
                "timestamp": iso_ms(t),
                "feedbackId": self._feedback_id(),
                "userAgent": agent,
                "complaintFeedbackType": feedback_type,
                "arrivalDate": iso_ms(t - 1_000),
            }
            self._ses(mail, "Complaint", t, "complaint", obj, "full", named=(addr,))

    def _pp_bounce(self, bounce_type: str, sub: str, entries: list[tuple[Any, ...]]) -> dict[str, Any]:
        """Pinpoint bounce facet, as AWS's events-database DDL and sample code read it (no documented example)."""
        return {
            "bounce_type": bounce_type,
            "bounce_sub_type": sub,
            "bounced_recipients": [
                {
                    "email_address": a,
                    "action": action,
                    "status": status,
                    "diagnostic_code": (diag or "").replace("{addr}", a),
                }
                if action
                else {"email_address": a}
                for a, action, status, diag in entries
            ],
            "feedback_id": self._feedback_id(),
            "reporting_mta": "dsn; " + self.rng.choice(catalog.REPORTING_MTAS),
        }

    def _ses_bounce(self, bounce_type: str, sub: str, entries: list[tuple[Any, ...]], t: int) -> dict[str, Any]:
        recipients = []
        for a, action, status, diag in entries:
            if action:  # a DSN was attached
                recipients.append(
                    {"emailAddress": a, "action": action, "status": status, "diagnosticCode": diag.replace("{addr}", a)}
                )
            else:
                recipients.append({"emailAddress": a})
        return {
            "bounceType": bounce_type,
            "bounceSubType": sub,
            "bouncedRecipients": recipients,
            "timestamp": iso_ms(t),
            "feedbackId": self._feedback_id(),
            "reportingMTA": "dsn; " + self.rng.choice(catalog.REPORTING_MTAS),
        }

    # ==========================================================================================================
    # SMS

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
            carrier_fee=0.003 if country.iso == "US" and producer == "sms" else 0.0,
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
        arrival = happened - 50 - int(rnd() * 400) if rnd() < 0.05 else happened + 30 + int(rnd() * 500)
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
        if rnd() < 0.7:
            self._pp_sms(sms, "_SMS.BUFFERED", request + 100 + int(rnd() * 700), "PENDING", False)
        if (rnd() < 0.9 or force == "optout") and force != "failure":
            t = request + 1_500 + int(rnd() * 20_000)
            if rnd() < 0.05:  # carrier receipts can take up to 72 hours
                t += HOUR_MS + int(rnd() * 70 * HOUR_MS)
            status = "DELIVERED" if sms.iso_country == "US" else "SUCCESSFUL"
            self._pp_sms(sms, "_SMS.SUCCESS", t, status, True)
            if promotional and (rnd() < 0.025 or force == "optout"):
                t_out = t + MINUTE_MS + (0 if force else int(rnd() * 2 * DAY_MS))
                if self._pp_sms(sms, "_SMS.OPTOUT", t_out, "OPTED_OUT", False) and user.sms_endpoint_id:
                    user.sms_opt_out = "ALL"
                    user.effective_ms = max(user.effective_ms, t_out)
                    self.truth.set_opt_out(user.sms_endpoint_id, "ALL")
        else:
            status = rng.choice(catalog.PINPOINT_SMS_FAILURES)
            if status == "UNKNOWN":
                t = request + 72 * HOUR_MS + int(rnd() * MINUTE_MS)
            elif status == "TTL_EXPIRED":
                t = request + HOUR_MS + int(rnd() * 11 * HOUR_MS)
            else:
                t = request + 2_000 + int(rnd() * 60_000)
            self._pp_sms(sms, "_SMS.FAILURE", t, status, True)

    def _eum(self, sms: Sms, event_type: str, happened: int, is_final: bool, status: str, description: str) -> None:
        args = (sms, event_type, happened, is_final, status, description)
        if self._emit(SMS, self._f_eum, args, happened, happened):
            self.truth.sms_event(sms, "sms", event_type, happened, is_final=is_final, priced=True)

    def _eum_flow(self, sms: Sms, force: tuple[str, str, str] | None = None) -> None:
        """Intermediate statuses (isFinal false), then one final status; ``force``: the final (type, status, text)."""
        rng, rnd = self.rng, self.rnd
        self._pool[SMS].append(sms)
        request = sms.request_ms
        if rnd() < 0.03 or (force is not None and force[0] == "TEXT_PROTECT_BLOCKED"):
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
        if rnd() < 0.15:
            self._eum(sms, "TEXT_QUEUED", request + 50 + int(rnd() * 250), False, "QUEUED", "Message has been queued")
        if rnd() < 0.4:
            self._eum(
                sms,
                "TEXT_PENDING",
                request + 400 + int(rnd() * 2_600),
                False,
                "PENDING",
                "Message has been sent to the carrier",
            )
        if force is None and rnd() < 0.9:
            t = request + 3_500 + int(rnd() * 23_000)  # after any intermediate status
            if rnd() < 0.06:
                t += HOUR_MS + int(rnd() * 70 * HOUR_MS)
            if sms.iso_country == "US":
                self._eum(sms, "TEXT_DELIVERED", t, True, "DELIVERED", "Message has been accepted by phone carrier")
            else:
                self._eum(sms, "TEXT_SUCCESSFUL", t, True, "SUCCESSFUL", "Message has been accepted by phone carrier")
        else:
            event_type, status, description = force or rng.choice(catalog.EUM_FAILURES[:-1])
            if event_type == "TEXT_UNKNOWN":
                t = request + 72 * HOUR_MS + int(rnd() * MINUTE_MS)
            elif event_type == "TEXT_TTL_EXPIRED":
                t = request + HOUR_MS + int(rnd() * 11 * HOUR_MS)
            else:
                t = request + 3_500 + int(rnd() * 60_000)
            self._eum(sms, event_type, t, True, status, description)

    # ==========================================================================================================
    # App events

    def _session(self, user: User, start: int, plan: list[tuple[str, dict[str, str], dict[str, float]]]) -> None:
        rng, rnd = self.rng, self.rnd
        session_id = uuid_like(rng)
        timeline: list[tuple[str, int, dict[str, str], dict[str, float]]] = [("_session.start", start, {}, {})]
        t = start
        for event_type, attributes, metrics in plan:
            t += 5_000 + int(rnd() * 3 * MINUTE_MS)
            timeline.append((event_type, t, attributes, metrics))
        stop = t + 10_000 + int(rnd() * 5 * MINUTE_MS)
        timeline.append(("_session.stop", stop, {}, {}))
        flush = stop + HOUR_MS + int(rnd() * 20 * HOUR_MS) if rnd() < 0.05 else None  # offline: sent in one batch later
        for event_type, at, attributes, metrics in timeline:
            session: dict[str, Any] = {"session_id": session_id, "start_timestamp": start}
            if event_type == "_session.stop":
                session["stop_timestamp"] = stop
            arrival = flush if flush is not None else at + 200 + int(rnd() * 2_800)
            args = (user, event_type, at, arrival, session, attributes, metrics)
            if self._emit(PINPOINT, self._f_app, args, at, arrival, late=False):
                self.truth.app_event(event_type, user.email_endpoint_id, at, attributes, metrics)

    def _shopping(
        self, user: User, *, view: bool = False, purchase: bool = False
    ) -> list[tuple[str, dict[str, str], dict[str, float]]]:
        rng, rnd = self.rng, self.rnd
        plan: list[tuple[str, dict[str, str], dict[str, float]]] = []
        if rnd() < 0.2:
            plan.append(("_userauth.sign_in", {}, {}))
        views = rng.randint(1, 5) if user.shopper else rng.randint(0, 2)
        if view:
            views = max(1, views)
        seen = []
        for _ in range(views):
            product = rng.choice(catalog.PRODUCTS)
            seen.append(product)
            plan.append(
                (
                    "product_page_view",
                    {"product_id": product[0], "product_color": rng.choice(product[2]), "product_name": product[1]},
                    {},
                )
            )
        if seen and rnd() < 0.3:
            plan.append(("add_to_cart", {"product_id": seen[-1][0]}, {"quantity": 1.0}))
        if purchase or (seen and rnd() < (0.22 if user.shopper else 0.03)):
            product = seen[-1] if seen else rng.choice(catalog.PRODUCTS)
            quantity = 1 + (rnd() < 0.2)
            price = product[3]
            store = {"ios": "Apple App Store", "android": "Google Play"}.get(user.device[0], "Web")
            plan.append(
                (
                    "_monetization.purchase",
                    {
                        "_product_id": product[0],
                        "_store": store,
                        "_item_price_formatted": f"${price:,.2f}",
                        "_transaction_id": hex_id(rng, 16),
                        "_currency": "USD",
                    },
                    {"_quantity": float(quantity), "_item_price": price},
                )
            )
        if user.webinar_fan and rnd() < 0.05:
            webinar_id, title = rng.choice(catalog.WEBINARS)
            plan.append(("webinar_registration", {"webinar_id": webinar_id, "webinar_title": title}, {}))
        return plan

    def _unit_app(self) -> bool:
        user = self._user_for_app()
        start = self.end_ms - int(self.rnd() * DAY_MS) if self.rnd() < 0.1 else self._uniform_time()
        self._session(user, start, self._shopping(user))
        return True

    def _anchors(self) -> None:
        """A few engaged shoppers who viewed a product in the last 24 h and purchased recently, so the example
        segments have members at any scale (most users do not qualify)."""
        rng = self.rng
        want = max(3, len(self.users) // 80)
        anchors = [u for u in self.users if u.persona == "engaged" and u.shopper and u.email_opt_out == "NONE"][:want]
        for u in self.users:
            if len(anchors) >= want:
                break
            if u not in anchors and u.email_opt_out == "NONE" and u.email_status == "ACTIVE":
                u.persona, u.open_p, u.click_p, u.shopper = "engaged", 0.85, 0.45, True
                anchors.append(u)
        recent = min(self.span, 80 * DAY_MS)
        for u in anchors:
            self._session(u, self.end_ms - 2 * HOUR_MS - int(self.rnd() * 20 * HOUR_MS), self._shopping(u, view=True))
            self._session(
                u,
                self.end_ms - 3 * HOUR_MS - int(self.rnd() * (recent - 3 * HOUR_MS)),
                self._shopping(u, purchase=True),
            )
        rng.shuffle(anchors)

    # ==========================================================================================================
    # Pinpoint campaigns, journeys, transactional sends

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

    # -- mails ------------------------------------------------------------------------------------------------

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

    def _ses_newsletter_mail(self, campaign: Campaign, user: User, t: int) -> Mail:
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=t,
            source="Englake Newsletter <newsletter@news.example.com>",
            destinations=(user.email,),
            subject=campaign.treatments[0].subject,
            boundary=self._boundary(),
            campaign_id=campaign.campaign_id,
            config_set=catalog.SES_CONFIG_MARKETING,
            tags={"campaign": [campaign.campaign_id], "message_type": ["newsletter"]},
            list_unsubscribe=True,
        )

    def _ses_transactional_mail(self, user: User, t: int) -> Mail:
        kind, subject, source = self.rng.choice(catalog.SES_TRANSACTIONAL)
        user.order_seq += 1
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=t,
            source=source,
            destinations=(user.email,),
            subject=subject.format(n=10_000 + user.index * 10 + user.order_seq % 10),
            boundary=self._boundary(),
            config_set=catalog.SES_CONFIG_TRANSACTIONAL,
            tags={"message_type": [kind]},
        )

    def _ses_notice_mail(self, recipients: list[tuple[str, User | None]], t: int, tagged: bool) -> Mail:
        """A billing notice to a team (2–3 recipients, some outside the app); tagged ones belong to a campaign."""
        rng = self.rng
        subject, source = rng.choice(catalog.SES_ACCOUNT_NOTICES)
        tags = {"campaign": ["ses-account-notices"], "message_type": ["account_notice"]}
        if not tagged:
            del tags["campaign"]
        return Mail(
            message_id=ses_message_id(rng),
            producer="ses",
            sent_ms=t,
            source=source,
            destinations=tuple(a for a, _ in recipients),
            subject=subject.format(n=f"INV-{rng.randrange(10_000, 99_999)}"),
            boundary=self._boundary(),
            campaign_id="ses-account-notices" if tagged else None,
            config_set=catalog.SES_CONFIG_TRANSACTIONAL,
            tags=tags,
        )

    def _ses_notification_mail(self, user: User, t: int) -> Mail:
        """Identity feedback notifications (``notificationType``): Delivery/Bounce/Complaint only, no tags."""
        return Mail(
            message_id=ses_message_id(self.rng),
            producer="ses",
            sent_ms=t,
            source="alerts@ops.example.com",
            destinations=(user.email,),
            subject="Sicherheitshinweis: neue Anmeldung 🔐",
            boundary=self._boundary(),
            notification=True,
        )

    # -- units: each plans one campaign send, journey run, message or session --------------------------------

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
        if campaign.webinar_id and user.email in opened and rnd() < (0.8 if user.webinar_fan else 0.12):
            title = dict(catalog.WEBINARS)[campaign.webinar_id]
            plan = [("webinar_registration", {"webinar_id": campaign.webinar_id, "webinar_title": title}, {})]
            self._session(user, opened[user.email] + MINUTE_MS + int(rnd() * 30 * MINUTE_MS), plan)
        elif campaign.webinar_id and user.email not in opened and user.webinar_fan and rnd() < 0.2:
            # some fans register without opening the invitation (they heard of it elsewhere)
            title = dict(catalog.WEBINARS)[campaign.webinar_id]
            plan = [("webinar_registration", {"webinar_id": campaign.webinar_id, "webinar_title": title}, {})]
            self._session(user, t + HOUR_MS + int(rnd() * 47 * HOUR_MS), plan)
        return True

    def _unit_campaign_sms(self) -> bool:
        target = self._next_target(
            "pp-sms", [c for c in self.campaigns if c.producer == "pinpoint" and c.channel == "SMS"]
        )
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
        sms = self._new_sms("pinpoint", user, t + 200 + int(rnd() * 800), treatment.subject, "Promotional")
        sms.client_id = sms.endpoint_id = user.sms_endpoint_id
        sms.campaign_id, sms.treatment_id, sms.campaign_activity_id = (
            campaign.campaign_id,
            treatment.treatment_id,
            campaign.activity_id,
        )
        sms.context = {"userId": user.user_id, "campaign": campaign.name}
        self._pp_sms_flow(sms, user, promotional=True)
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

    def _team(self, user: User) -> list[tuple[str, User | None]]:
        rng = self.rng
        recipients: list[tuple[str, User | None]] = [(user.email, user)]
        for _ in range(rng.randint(1, 2)):
            if self.rnd() < 0.5:
                other = rng.choice(self.users)
                candidate: tuple[str, User | None] = (other.email, other)
            else:
                candidate = (rng.choice(catalog.EXTERNAL_ADDRESSES), None)
            if candidate[0] not in {a for a, _ in recipients}:
                recipients.append(candidate)
        return recipients

    def _unit_ses(self) -> bool:
        rng, rnd = self.rng, self.rnd
        r = rnd()
        if r < 0.35:
            target = self._next_target("ses-newsletter", self._newsletters)
            if target is not None:
                campaign, user = target
                mail = self._ses_newsletter_mail(campaign, user, campaign.launch_ms + int(rnd() * campaign.spread_ms))
                self._email(mail, [(user.email, user)], campaign.treatments[0].link, topics=True)
                return True
            r = 0.5
        user = rng.choice(self.users)
        t = self._uniform_time()
        if r < 0.85:
            self._email(self._ses_transactional_mail(user, t), [(user.email, user)], "https://shop.example.com/orders")
        elif r < 0.95:
            recipients = self._team(user)
            mail = self._ses_notice_mail(recipients, t, tagged=rnd() < 0.4)
            self._email(mail, recipients, "https://billing.example.com/invoices")
        else:
            self._email(self._ses_notification_mail(user, t), [(user.email, user)], "")
        return True

    def _unit_eum(self, force: tuple[str, str, str] | None = None, at: int | None = None) -> bool:
        rng = self.rng
        if not self.phone_users:
            return False
        user = rng.choice(self.phone_users)
        if self.rnd() < 0.7:
            body, purpose = rng.choice(catalog.SMS_BODIES_TRANSACTIONAL), "otp"
        else:
            body, purpose = rng.choice(catalog.SMS_BODIES_NOTIFICATION), "order"
        request = self._uniform_time() if at is None else at
        sms = self._new_sms("sms", user, request, body.format(n=rng.randrange(100_000, 999_999)), "TRANSACTIONAL")
        sms.context = {"userId": user.user_id, "purpose": purpose}
        self._eum_flow(sms, force)
        return True

    def _showcase(self) -> None:
        """Messages whose outcome is forced, early in the window and never late, so that every event type and
        every view has rows at any scale (the seed-list campaign, a few SES and SMS messages)."""
        rng = self.rng
        self._late_enabled = False
        users = [u for u in self.users if u.email_opt_out == "NONE" and u.email_status == "ACTIVE"]
        t = self.start_ms + self.span // 4
        step = min(10 * MINUTE_MS, self.span // 500)
        seed = self._seed_list
        for force in ("rendering_failure", "rejected", "hardbounce", "softbounce", "click", "complaint", "unsubscribe"):
            t += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._campaign_send(user, seed, "0", "SUCCESS", t)
            mail = self._pp_campaign_mail(seed, "0", seed.treatments[0].subject, user, t)
            self._email(mail, [(user.email, user)], seed.treatments[0].link, force=force)
        for force in ("rendering_failure", "rejected", "hardbounce", "softbounce", "delay", "click", "complaint"):
            t += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._email(
                self._ses_transactional_mail(user, t),
                [(user.email, user)],
                "https://shop.example.com/orders",
                force=force,
            )
        for force in ("unsubscribe", "subscribe"):
            t += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            mail = self._ses_newsletter_mail(self._newsletters[0], user, t)
            self._email(mail, [(user.email, user)], self._newsletters[0].treatments[0].link, topics=True, force=force)
        t += step + rng.randrange(1, 60_000)
        user = rng.choice(users)
        team = [(user.email, user), (catalog.EXTERNAL_ADDRESSES[0], None), (catalog.EXTERNAL_ADDRESSES[1], None)]
        self._email(
            self._ses_notice_mail(team, t, tagged=True),
            team,
            "https://billing.example.com/invoices",
            force="hardbounce",
        )
        for force in ("complaint", "hardbounce"):
            t += step + rng.randrange(1, 60_000)
            user = rng.choice(users)
            self._email(self._ses_notification_mail(user, t), [(user.email, user)], "", force=force)
        if self.phone_users:
            for force in ("optout", "failure"):
                t += step + rng.randrange(1, 60_000)
                user = rng.choice([u for u in self.phone_users if u.sms_opt_out == "NONE"] or self.phone_users)
                sms = self._new_sms(
                    "pinpoint", user, t, "Englake: your parcel is out for delivery. STOP to opt out", "Promotional"
                )
                sms.client_id = sms.endpoint_id = user.sms_endpoint_id
                self._pp_sms_flow(sms, user, promotional=True, force=force)
            for final in catalog.EUM_FAILURES:
                t += step + rng.randrange(1, 60_000)
                self._unit_eum(force=final, at=t)
        self._late_enabled = True

    # ==========================================================================================================
    # The messy parts

    def _unknown_types(self) -> None:
        cfg = self.config
        want = max(2, round(cfg.events * cfg.unknown_type_rate))
        rng, rnd = self.rng, self.rnd
        for producer, pool in self._pool.items():
            emitted = tries = 0
            while emitted < want and pool and tries < want * 50:
                tries += 1
                m = pool[rng.randrange(len(pool))]
                t = m.sent_ms + MINUTE_MS + int(rnd() * 6 * HOUR_MS)
                if producer == PINPOINT:
                    obj = {"reason": "NewEventKind", "detail_version": "2"}
                    if self._emit(
                        PINPOINT, self._f_pp_email, (m, "_email.future_thing", t, "future_thing", obj), m.sent_ms, t
                    ):
                        self.truth.email_event(m, "pinpoint", "_email.future_thing", t)
                        emitted += 1
                elif producer == SES:
                    obj = {"timestamp": iso_ms(t), "reason": "NewEventKind"}
                    if self._emit(SES, self._f_ses, (m, "FutureThing", "futureThing", obj, "full"), t, t):
                        self.truth.email_event(m, "ses", "FutureThing", t)
                        emitted += 1
                else:
                    args = (m, "TEXT_FUTURE_STATUS", t, False, "FUTURE_STATUS", "A status AWS may add later")
                    if self._emit(SMS, self._f_eum, args, t, t):
                        self.truth.sms_event(m, "sms", "TEXT_FUTURE_STATUS", t, is_final=False, priced=True)
                        emitted += 1

    def _garbage(self) -> None:
        cfg = self.config
        rng, rnd = self.rng, self.rnd
        literal = self.r.literal
        valid = len(self.entries)
        for i in range(max(4, round(cfg.events * cfg.malformed_rate))):
            kind = i % 4
            arrival = self.start_ms + int(rnd() * self.span)
            if kind == 0 and valid:
                original = self.entries[rng.randrange(valid)]
                arrival = original[0]
                self._push(arrival, original[2], self.r.truncated, (original[3], original[4], 0.2 + 0.6 * rnd()))
                self.truth.malformed_line(original[2])
                continue
            if kind == 1 or (kind == 0 and not valid):
                text = rng.choice(
                    (
                        "Firehose delivery test – please ignore",
                        "ERROR 502 Bad Gateway",
                        "<html><body><h1>503 Service Unavailable</h1></body></html>",
                    )
                )
            elif kind == 2:
                text = '[{"event_type":"_email.open"},{"event_type":"_email.click"}]'
            else:
                text = str(arrival)
            self._push(arrival, None, literal, (text,))
            self.truth.malformed_line(None)
        samples = (
            '{"hello":"world"}',
            '{"eventType":"Bounce","bounce":{"bounceType":"Permanent"}}',
            '{"event_type":42,"event_timestamp":1732096531123}',
            '{"notificationType":"Bounce","mail":"not an object"}',
            '{"Type":"Notification","MessageId":"'
            + uuid_like(rng)
            + '","TopicArn":"arn:aws:sns:us-east-1:'
            + cfg.aws_account_id
            + ':ses-feedback","Message":"{\\"notificationType\\":\\"AmazonSnsSubscriptionSucceeded\\"}"}',
        )
        for i in range(max(3, round(cfg.events * cfg.unclassifiable_rate))):
            self._push(self.start_ms + int(rnd() * self.span), None, literal, (samples[i % len(samples)],))
            self.truth.unclassifiable_line()

    # ==========================================================================================================

    def run(self) -> None:
        cfg = self.config
        target = cfg.events
        pinpoint = max(0.0, 1.0 - cfg.ses_share - cfg.eum_share - cfg.app_share)
        plan: list[tuple[float, Callable[[], bool]]] = [
            (cfg.app_share, self._unit_app),
            (pinpoint * 0.60, self._unit_campaign_email),
            (pinpoint * 0.14, self._unit_journey),
            (pinpoint * 0.08, self._unit_transactional_email),
            (pinpoint * 0.11, self._unit_campaign_sms),
            (pinpoint * 0.07, self._unit_transactional_sms),
            (cfg.ses_share, self._unit_ses),
            (cfg.eum_share, self._unit_eum),
        ]
        self._anchors()
        self._showcase()
        for share, unit in plan:
            goal = self.produced + int(target * share)
            idle = 0
            while self.produced < goal and idle < 1_000:
                before = self.produced
                if not unit():
                    break
                idle = idle + 1 if self.produced == before else 0
        self._unknown_types()
        self._garbage()
        self.entries.sort()
