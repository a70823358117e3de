"""The audience file's columns: which keep a meaning of their own, which become attributes, and the limits.

Column names follow Pinpoint's import format (https://docs.aws.amazon.com/pinpoint/latest/developerguide/
audience-define-import.html): dotted paths into the endpoint. A standard column keeps its meaning (the reference
renamed ``Id``, ``User.UserId``, ``Location.*`` and ``Demographic.*`` to ``Attributes.*``); only a column that is
not standard becomes a custom attribute, under its own name.
"""

from __future__ import annotations

# The endpoint quotas (attribute names, values, endpoint size) are englake/pinpoint_quotas.py's.
#: A physical line longer than this is rejected unread (an oversized row, or a file that is not line-oriented).
MAX_LINE_BYTES = 64 * 1024

#: Top-level endpoint fields a column may name directly.
SCALAR_COLUMNS = ("Id", "ChannelType", "Address", "OptOut", "EffectiveDate", "EndpointStatus")
#: Nested endpoint objects and the members their dotted columns may name (botocore pinpoint model).
NESTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Location": ("City", "Country", "Latitude", "Longitude", "PostalCode", "Region"),
    "Demographic": (
        "AppVersion",
        "Locale",
        "Make",
        "Model",
        "ModelVersion",
        "Platform",
        "PlatformVersion",
        "Timezone",
    ),
    "User": ("UserId",),
}
#: Prefixes of columns that carry attributes or metrics explicitly.
ATTRIBUTE_PREFIX = "Attributes."
USER_ATTRIBUTE_PREFIX = "User.UserAttributes."
METRIC_PREFIX = "Metrics."

#: Columns every file must have.
REQUIRED_COLUMNS = ("ChannelType", "Address")
#: Channels an audience row may name (the ChannelType enum of the pinpoint model).
CHANNEL_TYPES = frozenset(
    {
        "PUSH",
        "GCM",
        "APNS",
        "APNS_SANDBOX",
        "APNS_VOIP",
        "APNS_VOIP_SANDBOX",
        "ADM",
        "SMS",
        "VOICE",
        "EMAIL",
        "BAIDU",
        "CUSTOM",
        "IN_APP",
    }
)
#: Channels whose address is a phone number: only these rows are phone-validated.
PHONE_CHANNELS = frozenset({"SMS", "VOICE"})
OPT_OUT_VALUES = frozenset({"ALL", "NONE"})
