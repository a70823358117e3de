"""AWS's "Engagement Database and Analytics for End User Messaging and SES" sample: its 11 Athena views, built by
englake over the sample's own records (tests/fixtures/channels/engagementdb_records.ndjson), return the rows its SQL
would. The expected rows are derived here independently, in Python over the fixture records, following the SQL of
the sample's createViews.mjs (aws-samples/Engagement-Database-And-Analytics-Sample-For-End-User-Messaging-And-SES)
step by step: its `ingest_timestamp` partition is the record's own hour, `from_unixtime(timestamp / 1000)` keeps
whole seconds (integer division), ROUND is half away from zero, a rate with a zero denominator is 0."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.dbt

RECORDS = Path(__file__).parent / "fixtures" / "channels" / "engagementdb_records.ndjson"
EPOCH = datetime(1970, 1, 1)
STATUS = ("changes", 0, "value", "statuses", 0)


def _records() -> list[dict]:
    return [json.loads(line) for line in RECORDS.read_text().splitlines() if line.strip()]


def _time(ms: int) -> datetime:
    return EPOCH + timedelta(seconds=ms // 1000)


def _hour(ms: int) -> datetime:
    return (EPOCH + timedelta(milliseconds=ms)).replace(minute=0, second=0, microsecond=0)


def _raw(record: dict, *path: str | int) -> str | None:
    """json_extract_scalar(rawevent, path): a scalar as text, NULL for a miss, an object or an array."""
    value: Any = json.loads(record["rawEvent"])
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict | list):
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _max(values: Iterable) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _min(values: Iterable) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _sum(values: Iterable) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _avg(values: Iterable) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _round(value: float | None, places: int) -> float | None:
    """SQL ROUND of a double: half away from zero."""
    if value is None:
        return None
    scaled = abs(value) * 10**places
    return math.copysign(math.floor(scaled + 0.5), value) / 10**places


def _rate(numerator: float, denominator: float, places: int) -> float:
    return _round(numerator * 1.0 / denominator if denominator > 0 else 0.0, places)


def _group(records: Iterable[dict], key: Callable[[dict], tuple]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


def _float(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


def _domain(address: str | None) -> str | None:
    match = re.search(r"@([a-zA-Z0-9.-]+)$", address or "")
    return match.group(1) if match else None


# --- the sample's views, in Python -----------------------------------------------------------------------------


def email_message_status() -> list[dict]:
    rows = []
    emails = [r for r in _records() if r["channel"] == "email"]
    by_type = [
        ("send_timestamp", "Send"),
        ("bounce_timestamp", "Bounce"),
        ("complaint_timestamp", "Complaint"),
        ("delivery_timestamp", "Delivery"),
        ("reject_timestamp", "Reject"),
        ("last_open_timestamp", "Open"),
    ]
    for (message_id, sender, destination), group in _group(
        emails, lambda r: (r["messageId"], r["sendingAddress"], r["destinationAddress"][0])
    ).items():

        def at(kind: str, group: list[dict] = group) -> datetime | None:
            return _max(_time(r["timestamp"]) for r in group if r["type"] == kind)

        row = {
            "messageid": message_id,
            "sendingaddress": sender,
            "destinationaddress": destination,
            "ingest_timestamp": _min(_hour(r["timestamp"]) for r in group),
            "message_timestamp": _time(min(r["timestamp"] for r in group)),
            **{name: at(kind) for name, kind in by_type},
            "open_count": sum(r["type"] == "Open" for r in group),
            "last_click_timestamp": at("Click"),
            "click_count": sum(r["type"] == "Click" for r in group),
            "last_clicked_link": _max(_raw(r, "click", "link") for r in group if r["type"] == "Click"),
            "rendering_failure_timestamp": at("Rendering Failure"),
            "delivery_delay_timestamp": at("DeliveryDelay"),
            "subscription_timestamp": at("Subscription"),
            "bouncetype": _max(_raw(r, "bounce", "bounceType") for r in group),
            "bouncesubtype": _max(_raw(r, "bounce", "bounceSubType") for r in group),
            "complaintfeedbacktype": _max(_raw(r, "complaint", "complaintFeedbackType") for r in group),
            "last_status": next((k for k in ("Bounce", "Complaint", "Delivery", "Reject", "Send") if at(k)), None),
            "isp": _domain(destination),  # its gmail/yahoo branches compare '@gmail.com' with 'gmail.com'
            "sending_domain": _domain(sender) or "none",
            "source_tls_version": _max(r["tags"].get("ses:source-tls-version") for r in group),
            "subject": _max(r["channelData"].get("subject") for r in group),
            "source_ip": _max(r["tags"].get("ses:source-ip") for r in group),
            "configuration_set": _max(r["tags"].get("ses:configuration-set") for r in group) or "none",
            "campaign": _max(r["tags"].get("campaign") for r in group) or "none",
        }
        rows.append(row)
    return rows


def email_conversion_rates_view() -> list[dict]:
    rows = []
    keys = ("isp", "sending_domain", "campaign", "configuration_set")
    for key, group in _group(
        email_message_status(),
        lambda r: (r["message_timestamp"].date(), r["ingest_timestamp"], *(r[k] for k in keys)),
    ).items():
        sent = len(group)
        delivered = sum(r["delivery_timestamp"] is not None for r in group)
        bounced = sum(r["bounce_timestamp"] is not None for r in group)
        complained = sum(r["complaint_timestamp"] is not None for r in group)
        opened = len({r["messageid"] for r in group if r["open_count"] > 0})
        clicked = len({r["messageid"] for r in group if r["click_count"] > 0})
        rows.append({
            "message_date": key[0],
            **dict(zip(keys, key[2:], strict=True)),
            "ingest_timestamp": _min(r["ingest_timestamp"] for r in group),
            "message_timestamp": _min(r["send_timestamp"] for r in group),
            "total_emails_sent": sent,
            "total_deliveries": delivered,
            "total_bounces": bounced,
            "total_complaints": complained,
            "total_emails_opened": opened,
            "total_emails_clicked": clicked,
            "delivery_rate": _rate(delivered, sent, 2),
            "open_rate": _rate(opened, delivered, 2),
            "open_to_click_rate": _rate(clicked, opened, 2),
            "bounce_rate": _rate(bounced, delivered, 2),  # by deliveries, as the sample divides
            "complaint_rate": _rate(complained, delivered, 2),
        })  # fmt: skip
    return rows


def _phone_status(
    channel: str, columns: list[tuple[str, str]], buckets: dict[str, list[str]], voice: bool
) -> list[dict]:
    records = [r for r in _records() if r["channel"] == channel]
    latest = {m: max(r["timestamp"] for r in g) for (m,), g in _group(records, lambda r: (r["messageId"],)).items()}
    rows = []
    groups = _group(
        records,
        lambda r: (
            r["messageId"],
            tuple(r["destinationAddress"]),
            r["sendingAddress"],
            tuple(sorted(r["tags"].items())),
        ),
    )
    for (message_id, destination, sender, tags), group in groups.items():
        last = [r for r in group if r["timestamp"] == latest[message_id]]
        price = _max(_float(r["channelData"].get("totalMessagePrice")) for r in group)

        def bucket(record: dict) -> str:
            kind = _raw(record, "eventType")
            return next((name for name, kinds in buckets.items() if kind in kinds), "unknown")

        row: dict[str, Any] = {
            "messageid": message_id,
            "iso_country_code": _max(r["channelData"].get("isoCountryCode") for r in group),
        }
        if voice:
            row |= {
                "message_price": price,
                "call_duration": _max(
                    int(r["channelData"]["callDurationInSeconds"])
                    for r in group
                    if r["channelData"].get("callDurationInSeconds")
                ),
            }
        else:
            row |= {
                "type": _max(r["type"] for r in group),
                "carrier_fee": _max(_float(r["channelData"].get("totalCarrierFee")) for r in group),
                "message_price": price,
                "message_parts": _max(
                    int(r["channelData"]["totalMessageParts"])
                    for r in group
                    if r["channelData"].get("totalMessageParts")
                ),
                "total_price": _round(price + price, 5) if price is not None else None,  # price twice, as its SQL
            }
        row |= {"destination_address": destination[0], "sending_address": sender}
        if not voice:
            row["carrier_name"] = _max(_raw(r, "carrierName") for r in group)
        for name, kind in columns:
            row[name] = _max(_time(r["timestamp"]) for r in group if _raw(r, "eventType") == kind)
        row |= {
            "context": dict(tags),
            "ingest_timestamp": _min(_hour(r["timestamp"]) for r in group),
            "message_timestamp": _time(min(r["timestamp"] for r in group)),
            "last_status": _max(_raw(r, "messageStatus") for r in last),
        }
        if not voice:
            row["status_description"] = _max(_raw(r, "messageStatusDescription") for r in last)
        row["message_status"] = _max(bucket(r) for r in last)
        rows.append(row)
    return rows


TEXT_FAILED = ["TEXT_BLOCKED", "TEXT_TTL_EXPIRED", "TEXT_CARRIER_UNREACHABLE", "TEXT_INVALID", "TEXT_INVALID_MESSAGE",
               "TEXT_CARRIER_BLOCKED", "TEXT_UNREACHABLE", "TEXT_SPAM", "TEXT_UNKNOWN"]  # fmt: skip
MEDIA_COLUMNS = [
    ("media_delivered", "MEDIA_DELIVERED"), ("media_successful", "MEDIA_SUCCESSFUL"), ("media_queued", "MEDIA_QUEUED"),
    ("media_pending", "MEDIA_PENDING"), ("media_blocked", "MEDIA_BLOCKED"), ("media_ttl_expired", "MEDIA_TTL_EXPIRED"),
    ("media_carrier_unreachable", "MEDIA_CARRIER_UNREACHABLE"), ("media_invalid", "MEDIA_INVALID"),
    ("media_invalid_message", "MEDIA_INVALID_MESSAGE"), ("media_carrier_blocked", "MEDIA_CARRIER_BLOCKED"),
    ("media_unreachable", "MEDIA_UNREACHABLE"), ("media_spam", "MEDIA_SPAM"), ("media_unknown", "MEDIA_UNKNOWN"),
    ("media_type_unsupported", "MEDIA_FILE_TYPE_UNSUPPORTED"), ("media_size_exceeded", "MEDIA_FILE_SIZE_EXCEEDED"),
    ("media_inaccessible", "MEDIA_FILE_INACCESSIBLE"),
]  # fmt: skip
VOICE_TYPES = ["VOICE_INITIATED", "VOICE_RINGING", "VOICE_ANSWERED", "VOICE_COMPLETED", "VOICE_BUSY", "VOICE_NO_ANSWER",
               "VOICE_TTL_EXPIRED", "VOICE_FAILED"]  # fmt: skip


def sms_message_status() -> list[dict]:
    kinds = ["TEXT_DELIVERED", "TEXT_SUCCESSFUL", "TEXT_QUEUED", "TEXT_PENDING", *TEXT_FAILED]
    buckets = {"success": kinds[:2], "pending": kinds[2:4], "failed": TEXT_FAILED}
    return _phone_status("text", [(k.lower(), k) for k in kinds], buckets, voice=False)


def media_message_status() -> list[dict]:
    buckets = {
        "success": ["MEDIA_DELIVERED", "MEDIA_SUCCESSFUL"],
        "pending": ["MEDIA_QUEUED", "MEDIA_PENDING"],
        "failed": [kind for _, kind in MEDIA_COLUMNS[4:]],
    }
    return _phone_status("media", MEDIA_COLUMNS, buckets, voice=False)


def voice_message_status() -> list[dict]:
    buckets = {
        "success": ["VOICE_COMPLETED", "VOICE_ANSWERED"],
        "failed": ["VOICE_TTL_EXPIRED", "VOICE_BUSY", "VOICE_NO_ANSWER", "VOICE_FAILED"],
    }
    return _phone_status("voice", [(k.lower(), k) for k in VOICE_TYPES], buckets, voice=True)


def _conversion(status_rows: list[dict], voice: bool) -> list[dict]:
    keys = ("iso_country_code", "sending_address") if voice else ("iso_country_code", "type", "sending_address")
    rows = []
    for key, group in _group(
        status_rows, lambda r: (r["ingest_timestamp"], r["message_timestamp"].date(), *(r[k] for k in keys))
    ).items():
        successful = sum(r["message_status"] == "success" for r in group)
        row = {"ingest_timestamp": key[0], "message_date": key[1], **dict(zip(keys, key[2:], strict=True))}
        row |= {
            "total_messages": len(group),
            "successful_messages": successful,
            "success_rate_percentage": _round(successful / len(group), 3),
            "total_message_price": _round(_sum(r["message_price"] for r in group), 4),
        }
        if voice:
            row["avg_call_duration"] = _round(_avg(r["call_duration"] for r in group), 2)
        else:
            row |= {
                "total_carrier_fee": _round(_sum(r["carrier_fee"] for r in group), 4),
                "total_cost": _round(_sum(r["total_price"] for r in group), 4),
                "avg_message_parts": _round(_avg(r["message_parts"] for r in group), 2),
            }
        rows.append(row)
    return rows


def sms_conversion_rates_view() -> list[dict]:
    return _conversion(sms_message_status(), voice=False)


def media_conversion_rates_view() -> list[dict]:
    return _conversion(media_message_status(), voice=False)


def voice_conversion_rates_view() -> list[dict]:
    return _conversion(voice_message_status(), voice=True)


def _whatsapp_statuses() -> list[dict]:
    return [
        r
        for r in _records()
        if r["channel"] == "whatsapp" and r["type"] == "messageStatus" and r["messageId"] is not None
    ]


def whatsapp_message_status() -> list[dict]:
    rows = []
    for (message_id, sender, destination), group in _group(
        _whatsapp_statuses(), lambda r: (r["messageId"], r["sendingAddress"], tuple(r["destinationAddress"]))
    ).items():

        def at(status: str, group: list[dict] = group) -> datetime | None:
            return _max(_time(r["timestamp"]) for r in group if r["status"] == status)

        rows.append({
            "messageid": message_id,
            "sending_address": sender,
            "destination_address": destination[0],
            "ingest_timestamp": _min(_hour(r["timestamp"]) for r in group),
            "message_timestamp": at("sent"),
            **{f"{s}_timestamp": at(s) for s in ("accepted", "sent", "delivered", "read", "failed")},
            "biz_opaque": _max(_raw(r, *STATUS, "biz_opaque_callback_data") for r in group),
            "status_code": _max(r["statusCode"] for r in group),
            "conversation_id": _max(_raw(r, *STATUS, "conversation", "id") for r in group),
            "origin_type": _max(_raw(r, *STATUS, "conversation", "origin", "type") for r in group),
        })  # fmt: skip
    return rows


def whatsapp_conversation_view() -> list[dict]:
    statuses = [
        r
        for r in _whatsapp_statuses()
        if r["status"] != "accepted" and _raw(r, *STATUS, "conversation", "id") is not None
    ]
    rows = []
    for (conversation, sender, destination), group in _group(
        statuses, lambda r: (_raw(r, *STATUS, "conversation", "id"), r["sendingAddress"], r["destinationAddress"][0])
    ).items():
        first, last = min(_time(r["timestamp"]) for r in group), max(_time(r["timestamp"]) for r in group)
        seconds = (last - first).total_seconds()
        rows.append({
            "conversation_id": conversation,
            "total_messages": len({r["messageId"] for r in group}),
            "ingest_timestamp": _min(_hour(r["timestamp"]) for r in group),
            "message_timestamp": first,
            "first_message_timestamp": first,
            "last_message_timestamp": last,
            "conversation_duration_seconds": int(seconds),
            "conversation_duration_minutes": seconds / 60,
            "sending_address": sender,
            "destination_address": destination,
            "biz_opaque": _max(_raw(r, *STATUS, "biz_opaque_callback_data") for r in group),
            "status_code": _max(r["statusCode"] for r in group),
            "origin_type": _max(_raw(r, *STATUS, "conversation", "origin", "type") for r in group),
        })  # fmt: skip
    return rows


def whatsapp_message_conversion_rates() -> list[dict]:
    def day(row: dict) -> Any:
        first = next((row[k] for k in ("sent_timestamp", "accepted_timestamp", "delivered_timestamp",
                                        "read_timestamp") if row[k] is not None), None)  # fmt: skip
        return first.date() if first else None

    rows = []
    for (sender, date, ingest), group in _group(
        whatsapp_message_status(), lambda r: (r["sending_address"], day(r), r["ingest_timestamp"])
    ).items():
        count = {
            s: sum(r[f"{s}_timestamp"] is not None for r in group)
            for s in ("accepted", "sent", "delivered", "read", "failed")
        }
        rows.append({
            "sending_address": sender,
            "ingest_timestamp": ingest,
            "message_timestamp": date,
            "message_date": date,
            "total_messages": len(group),
            **{f"{s}_count": n for s, n in count.items()},
            "accepted_to_sent_rate": _rate(count["accepted"], count["sent"], 3),
            "sent_to_delivered_rate": _rate(count["delivered"], count["sent"], 3),
            "delivered_to_read_rate": _rate(count["read"], count["delivered"], 3),
            "sent_to_failed_rate": _rate(count["failed"], count["sent"], 3),
        })  # fmt: skip
    return rows


VIEWS: dict[str, Callable[[], list[dict]]] = {
    view.__name__: view
    for view in (
        email_message_status, email_conversion_rates_view, sms_message_status, sms_conversion_rates_view,
        media_message_status, media_conversion_rates_view, voice_message_status, voice_conversion_rates_view,
        whatsapp_message_status, whatsapp_conversation_view, whatsapp_message_conversion_rates,
    )
}  # fmt: skip


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    if isinstance(value, float):
        return round(value, 9)
    return value


def _sorted(rows: list[dict], columns: list[str]) -> list[tuple]:
    return sorted((tuple(_comparable(row[c]) for c in columns) for row in rows), key=repr)


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_samples_view_returns_the_rows_its_sql_would(channels_lake, view: str) -> None:
    expected = VIEWS[view]()
    assert expected, f"{view}: the fixture records give the sample's view no rows; the test would prove nothing"
    with duckdb.connect(str(channels_lake.resolved_duckdb_path), read_only=True) as db:
        cursor = db.execute(f"select * from {view}")
        columns = [d[0] for d in cursor.description]
        actual = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert columns == list(expected[0]), "the sample's column names, in its order"
    assert _sorted(actual, columns) == _sorted(expected, columns)


def test_the_fixture_covers_what_the_views_distinguish() -> None:
    """Each status bucket and rate the views compute is reached by some fixture record (else a wrong branch passes)."""
    assert {r["message_status"] for r in media_message_status()} == {"success", "failed"}
    assert {r["message_status"] for r in voice_message_status()} == {"success", "failed"}
    assert {r["last_status"] for r in email_message_status()} == {"Bounce", "Complaint", "Delivery"}
    # example.com: 2 sent, 1 delivered, 1 bounced: the sample's bounce_rate is 1.0 (by deliveries), englake's 0.5.
    assert 1.0 in {r["bounce_rate"] for r in email_conversion_rates_view()}
    assert {r["open_count"] for r in email_message_status()} >= {2}
    assert any(r["failed_timestamp"] for r in whatsapp_message_status())
    assert any(r["conversation_duration_seconds"] > 0 for r in whatsapp_conversation_view())
