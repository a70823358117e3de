"""Static, realistic material the synthetic audience and messages are drawn from (names, places, products, copy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    iso: str
    weight: float
    locale: str
    timezones: tuple[str, ...]
    #: (city, postal code, latitude, longitude, region)
    cities: tuple[tuple[str, str, float, float, str], ...]
    #: E.164 mobile numbers are ``+`` + prefix + ``digits`` random digits, kept only if libphonenumber says valid
    phone_prefixes: tuple[str, ...]
    phone_digits: int
    #: (display name, ASCII slug for the address)
    first_names: tuple[tuple[str, str], ...]
    last_names: tuple[tuple[str, str], ...]
    email_domains: tuple[str, ...]
    #: Pinpoint ``price_in_millicents_usd`` per message part (645 = $0.00645)
    sms_price_millicents: float
    mcc: str
    mncs: tuple[str, ...]
    currency: str


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US", 0.42, "en_US", ("America/Los_Angeles", "America/New_York", "America/Chicago"),
        (("Seattle", "98101", 47.61, -122.33, "WA"), ("New York", "10001", 40.71, -74.01, "NY"),
         ("Austin", "73301", 30.27, -97.74, "TX"), ("San José", "95113", 37.34, -121.89, "CA")),
        ("1206", "1425", "1312", "1415", "1646", "1512", "1617", "1303"), 7,
        (("Emily", "emily"), ("Michael", "michael"), ("José", "jose"), ("Zoë", "zoe"), ("Aaliyah", "aaliyah"),
         ("Chloé", "chloe"), ("Noah", "noah"), ("Renée", "renee")),
        (("Johnson", "johnson"), ("García", "garcia"), ("O'Brien", "obrien"), ("Nguyễn", "nguyen"),
         ("Smith", "smith"), ("Müller", "muller")),
        ("example.com", "example.net", "mail.example.org"), 645.0, "310", ("260", "410", "800"), "USD",
    ),
    Country(
        "GB", 0.08, "en_GB", ("Europe/London",),
        (("London", "EC1A 1BB", 51.51, -0.13, "ENG"), ("Manchester", "M1 1AE", 53.48, -2.24, "ENG")),
        ("447",), 9,
        (("Zoë", "zoe"), ("Oliver", "oliver"), ("Siobhán", "siobhan"), ("Amelia", "amelia")),
        (("Taylor", "taylor"), ("Ó Briain", "obriain"), ("Patel", "patel")),
        ("example.co.uk", "example.com"), 3450.0, "234", ("10", "15", "20"), "GBP",
    ),
    Country(
        "DE", 0.08, "de_DE", ("Europe/Berlin",),
        (("Berlin", "10115", 52.52, 13.40, "BE"), ("München", "80331", 48.14, 11.58, "BY"),
         ("Köln", "50667", 50.94, 6.96, "NW")),
        ("49151", "49160", "49170", "49176"), 8,
        (("Jürgen", "juergen"), ("Lena", "lena"), ("Björn", "bjoern"), ("Käthe", "kaethe")),
        (("Müller", "mueller"), ("Schröder", "schroeder"), ("Weiß", "weiss")),
        ("example.de", "example.com"), 7560.0, "262", ("01", "02", "03"), "EUR",
    ),
    Country(
        "FR", 0.06, "fr_FR", ("Europe/Paris",),
        (("Paris", "75001", 48.86, 2.35, "IDF"), ("Lyon", "69001", 45.76, 4.84, "ARA")),
        ("336", "337"), 8,
        (("Élodie", "elodie"), ("François", "francois"), ("Chloé", "chloe"), ("Noël", "noel")),
        (("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Girard", "girard")),
        ("example.fr", "example.com"), 6830.0, "208", ("01", "10", "20"), "EUR",
    ),
    Country(
        "ES", 0.06, "es_ES", ("Europe/Madrid",),
        (("Madrid", "28001", 40.42, -3.70, "MD"), ("A Coruña", "15001", 43.36, -8.41, "GA"),
         ("Sevilla", "41001", 37.39, -5.98, "AN")),
        ("346",), 8,
        (("José", "jose"), ("María", "maria"), ("Íñigo", "inigo"), ("Begoña", "begona")),
        (("Núñez", "nunez"), ("Pérez", "perez"), ("Ibáñez", "ibanez")),
        ("example.es", "example.com"), 7100.0, "214", ("01", "03", "07"), "EUR",
    ),
    Country(
        "MX", 0.06, "es_MX", ("America/Mexico_City",),
        (("Ciudad de México", "06000", 19.43, -99.13, "CMX"), ("Guadalajara", "44100", 20.67, -103.35, "JAL")),
        ("5255", "5233"), 8,
        (("José", "jose"), ("Guadalupe", "guadalupe"), ("Sofía", "sofia"), ("Andrés", "andres")),
        (("Ramírez", "ramirez"), ("Hernández", "hernandez"), ("López", "lopez")),
        ("example.com.mx", "example.com"), 2150.0, "334", ("020", "050"), "MXN",
    ),
    Country(
        "PL", 0.05, "pl_PL", ("Europe/Warsaw",),
        (("Kraków", "30-001", 50.06, 19.94, "MA"), ("Łódź", "90-001", 51.76, 19.46, "LD"),
         ("Warszawa", "00-001", 52.23, 21.01, "MZ")),
        ("4850", "4851", "4853", "4860"), 7,
        (("Łukasz", "lukasz"), ("Małgorzata", "malgorzata"), ("Paweł", "pawel"), ("Zuzanna", "zuzanna")),
        (("Wójcik", "wojcik"), ("Kowalczyk", "kowalczyk"), ("Dąbrowski", "dabrowski")),
        ("example.pl", "example.com"), 3900.0, "260", ("01", "02", "03"), "PLN",
    ),
    Country(
        "CN", 0.04, "zh_CN", ("Asia/Shanghai",),
        (("北京", "100000", 39.90, 116.41, "BJ"), ("上海", "200000", 31.23, 121.47, "SH")),
        ("86138", "86139", "86150"), 8,
        (("李", "li"), ("王芳", "wangfang"), ("伟", "wei"), ("秀英", "xiuying")),
        (("李", "li"), ("王", "wang"), ("张", "zhang")),
        ("example.cn", "example.com"), 2900.0, "460", ("00", "01"), "CNY",
    ),
    Country(
        "JP", 0.04, "ja_JP", ("Asia/Tokyo",),
        (("東京", "100-0001", 35.68, 139.69, "13"), ("大阪", "530-0001", 34.69, 135.50, "27")),
        ("8190", "8180"), 8,
        (("陽菜", "hina"), ("蓮", "ren"), ("さくら", "sakura")),
        (("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi")),
        ("example.jp", "example.com"), 7400.0, "440", ("10", "20"), "JPY",
    ),
    Country(
        "BR", 0.05, "pt_BR", ("America/Sao_Paulo",),
        (("São Paulo", "01000-000", -23.55, -46.63, "SP"), ("Florianópolis", "88000-000", -27.59, -48.55, "SC")),
        ("55119", "55219"), 8,
        (("João", "joao"), ("Conceição", "conceicao"), ("Luíza", "luiza"), ("Thiago", "thiago")),
        (("Gonçalves", "goncalves"), ("Araújo", "araujo"), ("Simões", "simoes")),
        ("example.com.br", "example.com"), 2670.0, "724", ("05", "11"), "BRL",
    ),
    Country(
        "IN", 0.03, "en_IN", ("Asia/Kolkata",),
        (("Bengaluru", "560001", 12.97, 77.59, "KA"), ("Mumbai", "400001", 19.08, 72.88, "MH")),
        ("919", "918"), 9,
        (("Aarav", "aarav"), ("Priya", "priya"), ("Ananya", "ananya")),
        (("Sharma", "sharma"), ("Iyer", "iyer"), ("Reddy", "reddy")),
        ("example.in", "example.com"), 220.0, "404", ("10", "45"), "INR",
    ),
)  # fmt: skip

#: Our own sending numbers (US 555-01xx numbers are valid E.164 per libphonenumber and never assigned to anyone).
ORIGINATION_NUMBERS: tuple[str, ...] = ("+12065550142", "+12065550152", "+14255550100")

PERSONAS: tuple[tuple[str, float, float, float], ...] = (
    # (persona, share, probability to open a delivered email, probability to click once opened)
    ("engaged", 0.15, 0.85, 0.45),
    ("casual", 0.45, 0.35, 0.25),
    ("dormant", 0.40, 0.04, 0.10),
)

#: (product id, name, colours, unit price in USD)
PRODUCTS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("sku-1001", "Trail Runner 2", ("red", "blue", "black"), 129.0),
    ("sku-1002", "Zapatilla Rápida", ("white", "red"), 89.5),
    ("sku-1003", "Wanderjacke Föhn", ("green", "grey"), 199.0),
    ("sku-1004", "Merino Socks 3-pack", ("grey", "navy"), 24.99),
    ("sku-1005", "Sac à dos Léger 20 L", ("orange", "black"), 74.0),
    ("sku-1006", "Water Bottle 750 ml", ("steel", "red"), 19.5),
    ("sku-1007", "Headlamp 400 lm", ("black",), 39.9),
    ("sku-1008", "折りたたみ傘 Umbrella", ("navy", "yellow"), 29.0),
    ("sku-1009", "Rain Shell Zoë", ("red", "teal"), 149.0),
    ("sku-1010", "Gift Card", ("none",), 50.0),
)

INTERESTS: tuple[str, ...] = ("running", "hiking", "webinars", "outdoor", "travel", "deals", "data-quality")
LOYALTY_TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")

#: (platform, versions, make, model)
DEVICES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("ios", ("17.5", "18.1", "18.2"), "apple", "iPhone15,2"),
    ("android", ("13", "14", "15"), "samsung", "SM-S918B"),
    ("android", ("14",), "google", "Pixel 8"),
    ("web", ("10.15",), "generic web browser", "Unknown"),
)

USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
)

#: Privacy-proxy / scanner agents that SES flags as ``isBotEvent: Likely``
BOT_USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0",
    "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro) ATP-Safelinks",
)

#: (sub type, action, status, diagnostic code) for permanent bounces; the DSN fields are absent for suppressions
HARD_BOUNCES: tuple[tuple[str, str | None, str | None, str | None], ...] = (
    ("General", "failed", "5.1.1", "smtp; 550 5.1.1 user unknown"),
    ("NoEmail", "failed", "5.1.1", "smtp; 550 5.1.1 <{addr}>: Recipient address rejected: User unknown"),
    ("General", "failed", "5.4.1", "smtp; 550 5.4.1 Recipient address rejected: Access denied"),
    ("Suppressed", None, None, None),
    ("OnAccountSuppressionList", None, None, None),
)
SOFT_BOUNCES: tuple[tuple[str, str, str, str, str], ...] = (
    # (bounce type, sub type, action, status, diagnostic code)
    ("Transient", "MailboxFull", "failed", "5.2.2", "smtp; 552 5.2.2 Mailbox full"),
    ("Transient", "General", "failed", "4.4.7", "smtp; 421 4.4.7 Message expired"),
    ("Transient", "MessageTooLarge", "failed", "5.3.4", "smtp; 552 5.3.4 Message size exceeds fixed limit"),
    ("Undetermined", "Undetermined", "failed", "4.0.0", "smtp; 451 4.0.0 Temporary failure"),
)
DELAY_TYPES: tuple[tuple[str, str, str], ...] = (
    ("TransientCommunicationFailure", "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host"),
    ("MailboxFull", "4.2.2", "smtp; 452 4.2.2 Mailbox full"),
    ("SpamDetected", "4.7.1", "smtp; 451 4.7.1 Greylisted, please try again later"),
)
COMPLAINT_TYPES: tuple[str, ...] = ("abuse", "abuse", "abuse", "not-spam", "other")
REPORTING_MTAS: tuple[str, ...] = (
    "a8-53.smtp-out.amazonses.com",
    "a10-21.smtp-out.amazonses.com",
    "b224-14.smtp-out.amazonses.com",
)

SES_CONFIG_TRANSACTIONAL = "englake-transactional"
SES_CONFIG_MARKETING = "englake-marketing"
SES_CONTACT_LIST = "englake-newsletter"
SES_TOPICS: tuple[str, ...] = ("weekly-digest", "product-news")

#: (message_type tag, subject template, from display name, from address); {n} = order number
SES_TRANSACTIONAL: tuple[tuple[str, str, str], ...] = (
    ("order_confirmation", "Bestellbestätigung #{n} – vielen Dank!", "Englake Shop <orders@shop.example.com>"),
    ("order_confirmation", "Your order #{n} is confirmed ✅", "Englake Shop <orders@shop.example.com>"),
    ("shipping_update", "Tu pedido #{n} está en camino 🚚", "Englake Shop <orders@shop.example.com>"),
    ("shipping_update", "Votre commande #{n} a été expédiée", "Englake Shop <orders@shop.example.com>"),
    ("password_reset", "Reset your password", "Englake Accounts <no-reply@accounts.example.com>"),
    ("receipt", "您的收据 #{n}", "Englake Shop <orders@shop.example.com>"),
)
SES_ACCOUNT_NOTICES: tuple[tuple[str, str], ...] = (
    ("Invoice {n} is due – Fälligkeit in 7 Tagen", "Englake Billing <billing@shop.example.com>"),
    ("Your team plan renews on the 1st 🗓️", "Englake Billing <billing@shop.example.com>"),
)
#: External co-recipients of team/billing messages (not endpoints of the app)
EXTERNAL_ADDRESSES: tuple[str, ...] = (
    "ap@acme-gmbh.example", "billing@contoso.example", "finance@fabrikam.example", "buchhaltung@beispiel.example",
    "cuentas@ejemplo.example",
)  # fmt: skip

PINPOINT_TRANSACTIONAL: tuple[str, ...] = (
    "Your receipt 🧾",
    "Código de verificación: {n}",
    "Ihr Anmeldecode lautet {n}",
    "Welcome back, please confirm your e-mail",
)
PINPOINT_TRANSACTIONAL_FROM = "no-reply@app.example.com"

SMS_BODIES_TRANSACTIONAL: tuple[str, ...] = (
    "Your Englake code is {n}",
    "Tu código de Englake es {n}",
    "Ihr Englake-Code lautet {n}",
    "您的验证码是 {n}",
)
SMS_BODIES_NOTIFICATION: tuple[str, ...] = (
    "Your order #{n} has shipped 📦",
    "Votre commande #{n} est arrivée",
)

#: EUM final failure statuses: (eventType, messageStatus, description, share)
EUM_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("TEXT_BLOCKED", "BLOCKED", "Message blocked by the carrier"),
    ("TEXT_TTL_EXPIRED", "TTL_EXPIRED", "Message was not delivered before the time to live expired"),
    ("TEXT_CARRIER_UNREACHABLE", "CARRIER_UNREACHABLE", "Carrier could not be reached"),
    ("TEXT_INVALID", "INVALID", "Destination phone number is invalid"),
    ("TEXT_INVALID_MESSAGE", "INVALID_MESSAGE", "Message body is invalid"),
    ("TEXT_CARRIER_BLOCKED", "CARRIER_BLOCKED", "Message blocked by the carrier as spam"),
    ("TEXT_UNREACHABLE", "UNREACHABLE", "Recipient device is unreachable"),
    ("TEXT_SPAM", "SPAM", "Message was identified as spam by the carrier"),
    ("TEXT_UNKNOWN", "UNKNOWN", "No final delivery receipt within 72 hours"),
    ("TEXT_PROTECT_BLOCKED", "PROTECT_BLOCKED", "Message blocked by protect configuration"),
)
#: Pinpoint ``_SMS.FAILURE`` record_status values (event-formats.md §1.3)
PINPOINT_SMS_FAILURES: tuple[str, ...] = (
    "UNREACHABLE", "INVALID", "BLOCKED", "CARRIER_UNREACHABLE", "SPAM", "TTL_EXPIRED", "UNKNOWN", "INVALID_MESSAGE",
    "CARRIER_BLOCKED",
)  # fmt: skip

WEBINARS: tuple[tuple[str, str], ...] = (
    ("webinar5", "Datenqualität in der Praxis"),
    ("webinar3", "Segmentación avanzada con dbt"),
    ("webinar7", "Deliverability 101 📬"),
)

#: End User Messaging MMS final failures: (event type, messageStatus, messageStatusDescription).
MMS_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("MEDIA_BLOCKED", "BLOCKED", "Message blocked by the carrier"),
    ("MEDIA_TTL_EXPIRED", "TTL_EXPIRED", "Message was not delivered before the time to live expired"),
    ("MEDIA_CARRIER_UNREACHABLE", "CARRIER_UNREACHABLE", "Carrier could not be reached"),
    ("MEDIA_INVALID", "INVALID", "Destination phone number is not valid"),
    ("MEDIA_INVALID_MESSAGE", "INVALID_MESSAGE", "Message body is not valid"),
    ("MEDIA_CARRIER_BLOCKED", "CARRIER_BLOCKED", "Message blocked by the carrier"),
    ("MEDIA_UNREACHABLE", "UNREACHABLE", "Destination phone could not be reached"),
    ("MEDIA_SPAM", "SPAM", "Message identified as spam by the carrier"),
    ("MEDIA_UNKNOWN", "UNKNOWN", "No final carrier receipt within 72 hours"),
    ("MEDIA_FILE_INACCESSIBLE", "INVALID_MESSAGE", "Media file inaccessible"),
    ("MEDIA_FILE_TYPE_UNSUPPORTED", "INVALID_MESSAGE", "Media file type unsupported"),
    ("MEDIA_FILE_SIZE_EXCEEDED", "INVALID_MESSAGE", "Media file size exceeded"),
)
#: Voice calls that are not answered: (event type, messageStatus, messageStatusDescription).
VOICE_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("VOICE_NO_ANSWER", "NO_ANSWER", "Call not answered"),
    ("VOICE_BUSY", "BUSY", "Line busy"),
    ("VOICE_FAILED", "FAILED", "Call failed"),
    ("VOICE_TTL_EXPIRED", "TTL_EXPIRED", "Call not placed before the time to live expired"),
)
#: The RCS agent the synthetic business sends from (End User Messaging puts it where a number would be).
RCS_AGENT_ID = "englake_agent"
RCS_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("RCS_FAILED", "FAILED", "Message failed"),
    ("RCS_TTL_EXPIRED", "TTL_EXPIRED", "Message was not delivered before the time to live expired"),
    ("RCS_PROTECT_BLOCKED", "PROTECT_BLOCKED", "Message blocked by protect configuration"),
)
RCS_FALLBACK: tuple[str, str, str] = (
    "RCS_FALLEN_BACK_TO_SMS",
    "FALLEN_BACK_TO_SMS",
    "Device not RCS capable; sent as SMS",
)
#: End User Messaging campaigns (their id in each send's context, as ``campaign_id``): (id, name, channel).
PHONE_CAMPAIGNS: tuple[tuple[str, str, str], ...] = (
    ("eum-mms-spring-lookbook", "Spring lookbook (MMS)", "mms"),
    ("eum-voice-appointment-reminders", "Appointment reminders (voice)", "voice"),
    ("eum-rcs-order-updates", "Order updates (RCS)", "rcs"),
)
#: Meta's conversation categories (``conversation.origin.type``, ``pricing.category``).
WHATSAPP_CATEGORIES: tuple[str, ...] = ("utility", "marketing", "authentication", "service")
#: Meta errors on failed WhatsApp messages: (code, title).
WHATSAPP_ERRORS: tuple[tuple[int, str], ...] = (
    (131026, "Message undeliverable"),
    (131047, "Re-engagement message"),
    (131049, "Meta chose not to deliver"),
)
#: What customers write to the business number.
WHATSAPP_REPLIES: tuple[str, ...] = ("Thanks!", "STOP", "When will it arrive?", "Can I change the address?", "Hi")
