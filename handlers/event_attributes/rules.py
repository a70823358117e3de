"""The attribute rules, declared once in rules.csv (event type → attribute change), read here by the stream
handler and by dbt as the seed ``event_attribute_rules`` (dbt_project/seeds/ links to the same file), whose model
``event_attributes`` replays them over the lake.

A rule adds a value to (or removes it from) an endpoint attribute when an event of its type arrives. The value is
either literal (``value``) or read from the event's own attributes (``value_from_attribute``, e.g. the webinar id
of a registration). ``ttl_days`` makes an added value expire that many days after the event (an opened flag).

Semantics, the same in Python and SQL: per endpoint, attribute and value, the latest event decides (a removal wins
a tie); the value is held when that event added it and its time-to-live, if any, has not run out. Attributes are
sets: a rule never drops the other values of its attribute.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from englake.errors import ConfigError
from englake.pinpoint_quotas import FORBIDDEN_NAME_CHARS, MAX_ATTRIBUTE_NAME_CHARS

RULES_FILE = Path(__file__).with_name("rules.csv")
#: Suffix of the companion attribute that keeps, per value, the deciding event's action and time (and expiry),
#: so a late event older than the one that decided changes nothing, whatever the arrival order.
LOG_SUFFIX = "__at"
COLUMNS = ("raw_event_type", "attribute", "action", "value", "value_from_attribute", "ttl_days")


@dataclass(frozen=True)
class Rule:
    raw_event_type: str
    attribute: str
    action: Literal["add", "remove"]
    value: str | None
    value_from_attribute: str | None
    ttl: timedelta | None


def load_rules(path: Path = RULES_FILE) -> dict[str, list[Rule]]:
    """Rules by raw event type; a malformed rule is a ``ConfigError`` naming the file and line."""
    return _load(str(path))


@cache
def _load(path: str) -> dict[str, list[Rule]]:
    rules: dict[str, list[Rule]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ConfigError(f"{path}: header must be {','.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            where = f"{path} line {line}"
            action = row["action"]
            if action not in ("add", "remove"):
                raise ConfigError(f"{where}: action {action!r} is not add or remove")
            attribute = row["attribute"]
            limit = MAX_ATTRIBUTE_NAME_CHARS - len(LOG_SUFFIX)
            if not attribute or len(attribute) > limit or set(attribute) & FORBIDDEN_NAME_CHARS:
                raise ConfigError(f"{where}: attribute {attribute!r} must be 1–{limit} characters without # : ? \\ /")
            if bool(row["value"]) == bool(row["value_from_attribute"]):
                raise ConfigError(f"{where}: give exactly one of value and value_from_attribute")
            ttl = row["ttl_days"].strip()
            if ttl and (not ttl.isdigit() or int(ttl) == 0):
                raise ConfigError(f"{where}: ttl_days {ttl!r} is not a positive whole number")
            if ttl and action == "remove":
                raise ConfigError(f"{where}: a removal has no ttl_days")
            rule = Rule(
                raw_event_type=row["raw_event_type"],
                attribute=attribute,
                action=action,  # type: ignore[arg-type]
                value=row["value"] or None,
                value_from_attribute=row["value_from_attribute"] or None,
                ttl=timedelta(days=int(ttl)) if ttl else None,
            )
            rules.setdefault(rule.raw_event_type, []).append(rule)
    return rules
