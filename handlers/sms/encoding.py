"""SMS body encoding and message parts: GSM 03.38 (7-bit) when every character has a GSM code, else UCS-2.

Limits from "SMS character limits" (https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html):
one GSM part holds 160 characters and each part of a longer message 153; UCS-2 holds 70 and 67. Characters of the
GSM extension table (``^{}\\[~]|€`` and form feed) take two septets and are never split across parts. Throughput is
counted in parts (MPS = message parts per second), so the pacer needs this count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CHARACTER_LIMITS_URL = "https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html"
#: Septets in a single GSM part, and per part of a multipart (concatenated) message (CHARACTER_LIMITS_URL).
GSM_SINGLE = 160
GSM_MULTI = 153
#: UTF-16 code units in a single UCS-2 part, and per part of a multipart message (CHARACTER_LIMITS_URL).
UCS2_SINGLE = 70
UCS2_MULTI = 67
#: ``MessageBody`` length accepted by SendTextMessage (pinpoint-sms-voice-v2 service model: 1–1600 characters).
MAX_BODY_CHARS = 1600

#: GSM 03.38 basic character set (one septet each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table (escape + character: two septets each).
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class BodyEncoding:
    encoding: str  # "GSM" or "UCS2" (End User Messaging events say "GSM" / "Unicode")
    units: int  # septets (GSM) or UTF-16 code units (UCS-2)
    parts: int


def body_encoding(body: str) -> BodyEncoding:
    """The encoding a carrier would use for ``body`` and how many message parts it takes."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in body):
        costs = [2 if ch in GSM_EXTENDED else 1 for ch in body]
        return BodyEncoding("GSM", sum(costs), _parts(costs, GSM_SINGLE, GSM_MULTI))
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in body]  # a surrogate pair is never split
    return BodyEncoding("UCS2", sum(costs), _parts(costs, UCS2_SINGLE, UCS2_MULTI))


def _parts(costs: list[int], single: int, multi: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            parts += 1
            used = 0
        used += cost
    return max(parts, math.ceil(total / multi))
