"""Apply a batch of activity events to endpoint attributes: rules → changes → per endpoint, merged once.

Per batch: every event is matched against the rules (``rules.csv``); identical events count once; the changes are
grouped by (application, endpoint) and each endpoint is read once, merged (sets, latest event per value wins,
expired values dropped) and written once, in ``UpdateEndpointsBatch`` requests of up to 100 endpoints — instead of
the reference's one ``UpdateEndpoint`` per event. The event's own application id is used (the reference wrote
every event to the project of its environment). Endpoints that do not exist are skipped, never created.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from handlers.event_attributes.events import ActivityEvent
from handlers.event_attributes.rules import Rule
from handlers.event_attributes.state import (
    AttributeValueError,
    Change,
    Decision,
    check_value,
    decode,
    encode,
    held_values,
    log_name,
    merge,
    to_ms,
)
from handlers.event_attributes.stores import AttributeStore

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    events: int = 0
    #: Distinct events that matched a rule.
    matched: int = 0
    duplicates: int = 0
    changes: int = 0
    #: (application, endpoint) pairs written, and those already in the wanted state.
    written: int = 0
    unchanged: int = 0
    #: Why events were skipped: no endpoint id, no application, unknown endpoint, bad value.
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: (application, endpoint) → reason, for endpoints whose write failed: their events are retried.
    failed: dict[tuple[str, str], str] = field(default_factory=dict)


def changes_for(event: ActivityEvent, rules: dict[str, list[Rule]], application_id: str) -> list[Change]:
    """What the rules make of one event (none when no rule names its type)."""
    found = []
    at_ms = to_ms(event.at)
    for rule in rules.get(event.event_type, []):
        value = rule.value if rule.value is not None else event.attributes.get(rule.value_from_attribute or "")
        if not value:
            continue
        check_value(value)
        expires = at_ms + int(rule.ttl.total_seconds() * 1000) if rule.ttl else None
        decision = Decision(at_ms, rule.action == "remove", expires)
        found.append(Change(application_id, event.endpoint_id or "", rule.attribute, value, decision, event.event_id))
    return found


def apply_events(
    events: Iterable[ActivityEvent],
    rules: dict[str, list[Rule]],
    store: AttributeStore,
    now: datetime,
    default_application_id: str | None = None,
) -> BatchResult:
    """Apply events; failed writes are reported per endpoint (the caller fails those endpoints' records)."""
    result = BatchResult()
    seen: set[str] = set()
    grouped: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for event in events:
        result.events += 1
        if event.event_type not in rules:
            continue
        if event.event_id in seen:
            result.duplicates += 1
            continue
        seen.add(event.event_id)
        if not event.endpoint_id:
            result.skipped["no endpoint id"] += 1
            continue
        application_id = event.application_id or default_application_id
        if not application_id:
            result.skipped["no application id"] += 1
            continue
        try:
            changes = changes_for(event, rules, application_id)
        except AttributeValueError as error:
            log.warning("event %s: %s", event.event_id, error)
            result.skipped["bad value"] += 1
            continue
        if changes:
            result.matched += 1
            result.changes += len(changes)
            grouped[(application_id, event.endpoint_id)] += changes
    now_ms = to_ms(now)
    by_app: dict[str, dict[str, list[Change]]] = defaultdict(dict)
    for (application_id, endpoint_id), changes in grouped.items():
        by_app[application_id][endpoint_id] = changes
    for application_id, endpoints in by_app.items():
        current = store.read(application_id, endpoints)
        updates: dict[str, dict[str, list[str]]] = {}
        for endpoint_id, changes in endpoints.items():
            if endpoint_id not in current:
                result.skipped["unknown endpoint (not created)"] += len({c.event_id for c in changes})
                continue
            update = _update(current[endpoint_id], changes, now_ms)
            if update:
                updates[endpoint_id] = update
            else:
                result.unchanged += 1
        failed = store.write(application_id, updates) if updates else {}
        result.written += len(updates) - len(failed)
        result.failed |= {(application_id, endpoint_id): reason for endpoint_id, reason in failed.items()}
    return result


def _update(held: dict[str, list[str]], changes: list[Change], now_ms: int) -> dict[str, list[str]]:
    """The attributes to send for one endpoint: only those whose values or log changed."""
    by_attribute: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_attribute[change.attribute].append(change)
    update: dict[str, list[str]] = {}
    for attribute, attribute_changes in by_attribute.items():
        decided = merge(decode(held.get(log_name(attribute), [])), attribute_changes)
        values = held_values(decided, now_ms)
        entries = encode(decided)
        if values != sorted(held.get(attribute, [])):
            update[attribute] = values  # an empty list clears the attribute on this endpoint only
        if entries != sorted(held.get(log_name(attribute), [])):
            update[log_name(attribute)] = entries
    # While the endpoint is written anyway, drop values of its other rule attributes that expired meanwhile.
    others = [name for name in held if log_name(name) in held and name not in by_attribute]
    return update | expire(held, others, now_ms)


def expire(held: dict[str, list[str]], attributes: Iterable[str], now_ms: int) -> dict[str, list[str]]:
    """The attributes whose held values include expired ones, with those values dropped (the sweep)."""
    update = {}
    for attribute in attributes:
        values = held_values(decode(held.get(log_name(attribute), [])), now_ms)
        if values != sorted(held.get(attribute, [])):
            update[attribute] = values
    return update
