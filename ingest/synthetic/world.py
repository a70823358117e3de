"""The synthetic audience and what is sent to it: one Pinpoint app, users with email and SMS endpoints, campaigns
(some A/B) and journeys. Everything is drawn from one seeded ``random.Random``; ids come from it too."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

import orjson
import phonenumbers

from ingest.synthetic import catalog
from ingest.synthetic.catalog import Country
from ingest.synthetic.config import DAY_MS, HOUR_MS, iso_ms

_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def hex_id(rng: random.Random, digits: int = 32) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def uuid_like(rng: random.Random) -> str:
    # the same 32 hex digits as f"{…:032x}", in half the time (millions of ids)
    h = rng.getrandbits(128).to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def ses_message_id(rng: random.Random, prefix: str = "010001") -> str:
    """An id shaped like SES's (``0100018c…-<uuid>-000000``)."""
    return f"{prefix}{rng.getrandbits(40).to_bytes(5, 'big').hex()}-{uuid_like(rng)}-000000"


@dataclass(slots=True)
class User:
    """A person: one EMAIL endpoint, often one SMS endpoint, one app install (whose events use the EMAIL endpoint)."""

    index: int
    user_id: str
    first_name: str
    last_name: str
    country: Country
    city: tuple[str, str, float, float, str]
    timezone: str
    email: str
    email_endpoint_id: str
    phone: str | None
    sms_endpoint_id: str | None
    persona: str
    open_p: float
    click_p: float
    shopper: bool
    webinar_fan: bool
    interests: list[str]
    loyalty: str
    cohort: str
    created_ms: int
    effective_ms: int
    email_status: str = "ACTIVE"
    email_opt_out: str = "NONE"
    sms_opt_out: str = "NONE"
    device: tuple[str, str, str, str] = ("web", "10.15", "generic web browser", "Unknown")
    cognito_id: str = ""
    request_id: str = ""
    order_seq: int = 0
    _endpoint_json: dict[str, str] = field(default_factory=dict)

    def endpoint_json(self, channel: str) -> str:
        """The endpoint as Pinpoint embeds it in ``client_context.custom.endpoint``: a JSON document in a string."""
        cached = self._endpoint_json.get(channel)
        if cached is None:
            # orjson writes what json.dumps(separators=(",", ":"), ensure_ascii=False) does for these strings, 5x faster
            cached = orjson.dumps(
                {
                    "ChannelType": channel,
                    "EndpointStatus": self.email_status if channel == "EMAIL" else "ACTIVE",
                    "OptOut": self.email_opt_out if channel == "EMAIL" else self.sms_opt_out,
                    "RequestId": self.request_id,
                    "EffectiveDate": iso_ms(self.effective_ms),
                    "Demographic": {"Timezone": self.timezone, "Locale": self.country.locale},
                    "Location": {"Country": self.country.iso, "City": self.city[0]},
                    "Attributes": {"Interests": self.interests},
                    "User": {"UserId": self.user_id, "UserAttributes": {"FirstName": [self.first_name]}},
                }
            ).decode()
            self._endpoint_json[channel] = cached
        return cached


@dataclass(frozen=True, slots=True)
class Treatment:
    treatment_id: str
    subject: str  # email subject, or the SMS body
    link: str


@dataclass(slots=True)
class Campaign:
    """A Pinpoint campaign (``producer == "pinpoint"``) or an SES-native campaign known only by its ``campaign`` tag."""

    campaign_id: str
    activity_id: str
    name: str
    channel: str  # EMAIL | SMS
    producer: str  # pinpoint | ses
    treatments: tuple[Treatment, ...]
    launch_ms: int
    spread_ms: int
    webinar_id: str | None = None
    audience: list[User] = field(default_factory=list)
    cursor: int = 0


@dataclass(frozen=True, slots=True)
class Activity:
    activity_id: str
    kind: str  # EMAIL | SMS
    offset_ms: int
    subject: str
    link: str


@dataclass(slots=True)
class Journey:
    journey_id: str
    name: str
    activities: tuple[Activity, ...]
    runs: list[tuple[int, str]]  # (run start ms, journey_run_id), ascending

    def run_for(self, moment_ms: int) -> str:
        run_id = self.runs[0][1]
        for start, rid in self.runs:
            if start <= moment_ms:
                run_id = rid
        return run_id


@functools.cache
def _calling_code(prefix: str) -> tuple[int, str]:
    """The country calling code that starts an E.164 ``prefix`` (as ``phonenumbers.parse`` reads it) and the national
    digits after it."""
    code = phonenumbers.parse(f"+{prefix}{'1' * 8}").country_code
    return code, prefix[len(str(code)) :]


def _phone(rng: random.Random, country: Country, taken: set[str]) -> str | None:
    for _ in range(40):
        prefix = rng.choice(country.phone_prefixes)
        digits = "".join(str(rng.randrange(10)) for _ in range(country.phone_digits))
        number = "+" + prefix + digits
        if number in taken:
            continue
        # The number as phonenumbers.parse would return it, made directly (parse was half of this function's time):
        # the same for every catalogue prefix, whose national part has no leading zero and no national prefix
        # (tests/generator/test_phone_numbers.py). number_type is UNKNOWN for every invalid number, so a mobile type
        # implies is_valid_number (which would classify the number a second time).
        code, national = _calling_code(prefix)
        parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(national + digits))
        if phonenumbers.number_type(parsed) in _MOBILE_TYPES:
            taken.add(number)
            return number
    return None


def build_users(rng: random.Random, count: int, start_ms: int, end_ms: int) -> list[User]:
    """``count`` users; every one has an EMAIL endpoint, about 70% also an SMS endpoint with a valid E.164 number."""
    countries = catalog.COUNTRIES
    weights = [c.weight for c in countries]
    personas = catalog.PERSONAS
    persona_weights = [p[1] for p in personas]
    taken: set[str] = set()
    users: list[User] = []
    for index in range(count):
        country = rng.choices(countries, weights)[0]
        first, first_slug = rng.choice(country.first_names)
        last, last_slug = rng.choice(country.last_names)
        persona, _, open_p, click_p = rng.choices(personas, persona_weights)[0]
        email = f"{first_slug}.{last_slug}.{index + 1000}@{rng.choice(country.email_domains)}"
        phone = _phone(rng, country, taken) if rng.random() < 0.7 else None
        created = start_ms - rng.randrange(DAY_MS, 400 * DAY_MS)
        effective = start_ms - rng.randrange(HOUR_MS, 60 * DAY_MS)  # last update before the window (opt-outs move it)
        user = User(
            index=index,
            user_id=uuid_like(rng),
            first_name=first,
            last_name=last,
            country=country,
            city=rng.choice(country.cities),
            timezone=rng.choice(country.timezones),
            email=email,
            email_endpoint_id=uuid_like(rng),
            phone=phone,
            sms_endpoint_id=uuid_like(rng) if phone else None,
            persona=persona,
            open_p=open_p,
            click_p=click_p,
            shopper=rng.random() < (0.6 if persona == "engaged" else 0.25),
            webinar_fan=rng.random() < 0.25,
            interests=rng.sample(catalog.INTERESTS, rng.randint(1, 3)),
            loyalty=rng.choice(catalog.LOYALTY_TIERS),
            cohort=str(rng.randrange(100)),
            created_ms=created,
            effective_ms=max(created, effective),
            device=(lambda d: (d[0], rng.choice(d[1]), d[2], d[3]))(rng.choice(catalog.DEVICES)),
            cognito_id=f"us-east-1:{uuid_like(rng)}",
            request_id=uuid_like(rng),
        )
        if user.webinar_fan and "webinars" not in user.interests:
            user.interests.append("webinars")
        if rng.random() < 0.02:
            user.email_opt_out = "ALL"  # opted out before the window: campaigns skip them
        if rng.random() < 0.01:
            user.email_status = "INACTIVE"
        if phone and rng.random() < 0.02:
            user.sms_opt_out = "ALL"
        users.append(user)
    return users


def _link(path: str, campaign: str) -> str:
    return f"https://shop.example.com/{path}?utm_source=email&utm_campaign={campaign}"


def build_campaigns(rng: random.Random, start_ms: int, end_ms: int) -> list[Campaign]:
    """Pinpoint campaigns (named ones, some A/B, a webinar invitation, SMS ones, weekly digests) and SES-native ones."""
    span = end_ms - start_ms

    def at(fraction: float) -> int:
        return start_ms + int(span * fraction) // HOUR_MS * HOUR_MS

    def make(name: str, channel: str, treatments: list[tuple[str, str, str]], launch: int, **kw: object) -> Campaign:
        return Campaign(
            campaign_id=hex_id(rng),
            activity_id=hex_id(rng),
            name=name,
            channel=channel,
            producer=str(kw.pop("producer", "pinpoint")),
            treatments=tuple(Treatment(t, s, link) for t, s, link in treatments),
            launch_ms=launch,
            spread_ms=int(kw.pop("spread_ms", 40 * 60_000)),
            webinar_id=kw.pop("webinar_id", None),  # type: ignore[arg-type]
        )

    campaigns = [
        make(
            "Fall sale A/B/C",
            "EMAIL",
            [
                ("0", "Fall sale: 30 % off everything 🍂", _link("sale/fall", "fall-sale")),
                ("1", "¡Rebajas de otoño! 30 % en todo", _link("sale/fall", "fall-sale")),
                ("2", "Herbst-Sale: 30 % Rabatt – nur heute", _link("sale/fall", "fall-sale")),
            ],
            at(0.12),
        ),
        make(
            "Webinar invitation (webinar5)",
            "EMAIL",
            [("0", "Einladung: Webinar „Datenqualität in der Praxis“ 🎓", "https://events.example.com/webinar5")],
            at(0.22),
            webinar_id="webinar5",
        ),
        make(
            "Product launch Trail Runner 2",
            "EMAIL",
            [
                ("0", "Meet the new Trail Runner 2 👟", _link("p/sku-1001", "launch")),
                ("1", "Zoë, Łukasz and José already love it – Trail Runner 2", _link("p/sku-1001", "launch")),
            ],
            at(0.48),
        ),
        make(
            "Flash sale SMS",
            "SMS",
            [
                ("0", "Englake flash sale: 20% off until midnight. Reply STOP to opt out", ""),
                ("1", "⚡ Englake: 20 % de descuento hoy. Responde STOP para salir", ""),
            ],
            at(0.35),
        ),
        make("Back in stock SMS", "SMS", [("0", "Trail Runner 2 is back in stock. STOP to opt out", "")], at(0.7)),
        # sent to a handful of seed-list addresses only; guarantees every outcome exists at any scale
        make("Seed-list check", "EMAIL", [("0", "Seed-list check ✔ Zustellbarkeit", _link("seed", "seed"))], at(0.25)),
    ]
    week = 7 * DAY_MS
    weeks = max(1, span // week)
    for k in range(weeks):
        launch = start_ms + k * week + rng.randrange(2, 5) * DAY_MS // 4 + 9 * HOUR_MS
        if launch >= end_ms:
            launch = start_ms + span // 2
        campaigns.append(
            make(
                f"Weekly digest #{k + 1}",
                "EMAIL",
                [("0", f"Your weekly digest #{k + 1}: trails, tips & Angebote", _link("digest", f"digest-{k + 1}"))],
                launch,
            )
        )
    # SES-native campaigns: the id lives only in the ``campaign`` message tag (no treatments).
    for k in range(max(1, weeks)):
        launch = start_ms + k * week + DAY_MS // 2
        cid = f"ses-newsletter-{k + 1:03d}"
        campaigns.append(
            make(
                f"SES newsletter #{k + 1}",
                "EMAIL",
                [("", f"Englake Newsletter #{k + 1} – Neuigkeiten & Tipps 📰", _link("news", cid))],
                min(launch, end_ms - HOUR_MS),
                producer="ses",
                spread_ms=3 * HOUR_MS,
            )
        )
        campaigns[-1].campaign_id = cid
        campaigns[-1].activity_id = ""
    notices = make(
        "SES account notices",
        "EMAIL",
        [("", "", "https://billing.example.com/invoices")],
        start_ms,
        producer="ses",
        spread_ms=span,
    )
    notices.campaign_id = "ses-account-notices"
    notices.activity_id = ""
    campaigns.append(notices)
    return campaigns


def build_journeys(rng: random.Random, start_ms: int, end_ms: int) -> list[Journey]:
    def act(kind: str, offset_days: float, subject: str, link: str = "") -> Activity:
        return Activity(
            "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(10)),
            kind,
            int(offset_days * DAY_MS),
            subject,
            link,
        )

    def runs() -> list[tuple[int, str]]:
        return [(m, hex_id(rng)) for m in range(start_ms, end_ms, 30 * DAY_MS)]

    return [
        Journey(
            hex_id(rng),
            "Welcome series",
            (
                act("EMAIL", 0, "Willkommen bei Englake, schön dass du da bist 👋", _link("welcome", "welcome-1")),
                act("EMAIL", 2, "3 tips to get the most out of Englake", _link("tips", "welcome-2")),
                act("SMS", 3, "Welcome to Englake! Reply STOP to opt out"),
            ),
            runs(),
        ),
        Journey(
            hex_id(rng),
            "Abandoned cart",
            (act("EMAIL", 0.05, "¿Olvidaste algo en tu carrito? 🛒", _link("cart", "cart-reminder")),),
            runs(),
        ),
    ]


def export_endpoint(user: User, channel: str, application_id: str) -> dict:
    """One endpoint as Pinpoint's CreateExportJob writes it (one JSON object per line; EndpointResponse fields)."""
    is_email = channel == "EMAIL"
    city, postal, lat, lon, region = user.city
    return {
        "ApplicationId": application_id,
        "Id": user.email_endpoint_id if is_email else user.sms_endpoint_id,
        "ChannelType": channel,
        "Address": user.email if is_email else user.phone,
        "EndpointStatus": user.email_status if is_email else "ACTIVE",
        "OptOut": user.email_opt_out if is_email else user.sms_opt_out,
        "RequestId": user.request_id,
        "EffectiveDate": iso_ms(user.effective_ms),
        "CreationDate": iso_ms(user.created_ms),
        "Attributes": {
            "Interests": list(user.interests),
            "PreferredLanguage": [user.country.locale.split("_")[0]],
            "SignupSource": ["app" if user.index % 3 else "web_form"],
        },
        "Demographic": {
            "Locale": user.country.locale,
            "Timezone": user.timezone,
            "Platform": user.device[0],
            "PlatformVersion": user.device[1],
            "Make": user.device[2],
            "Model": user.device[3],
        },
        "Location": {
            "City": city,
            "Country": user.country.iso,
            "PostalCode": postal,
            "Region": region,
            "Latitude": lat,
            "Longitude": lon,
        },
        "Metrics": {},
        "User": {
            "UserId": user.user_id,
            "UserAttributes": {
                "FirstName": [user.first_name],
                "LastName": [user.last_name],
                "LoyaltyTier": [user.loyalty],
            },
        },
        "CohortId": user.cohort,
    }
