"""Fixtures of the generator tests: one moderately sized lake (``contract.CONFIG``), rendered and parsed once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ingest.generator import RawRecord, SyntheticLake, generate
from tests.generator.contract import (
    CONFIG,
    classify,
)

# --------------------------------------------------------------------------------------------------------------
# Fixtures: one moderately sized lake, parsed once


@pytest.fixture(scope="session")
def lake() -> SyntheticLake:
    return generate(CONFIG)


@pytest.fixture(scope="session")
def records(lake: SyntheticLake) -> list[RawRecord]:
    return list(lake.records())


@pytest.fixture(scope="session")
def parsed(records: list[RawRecord]) -> list[tuple[RawRecord, Any]]:
    out = []
    for r in records:
        try:
            out.append((r, json.loads(r.line)))
        except json.JSONDecodeError:
            out.append((r, None))
    return out


@pytest.fixture(scope="session")
def valid(parsed: list[tuple[RawRecord, Any]]) -> list[tuple[RawRecord, str, dict[str, Any]]]:
    """Classified records (duplicates included)."""
    return [(r, p, obj) for r, obj in parsed if (p := classify(obj)) is not None]


@pytest.fixture(scope="session")
def distinct(valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Classified records with byte-identical duplicates removed."""
    seen: set[str] = set()
    out = []
    for r, p, obj in valid:
        if r.line not in seen:
            seen.add(r.line)
            out.append((p, obj))
    return out


@pytest.fixture(scope="session")
def export(lake: SyntheticLake) -> list[dict[str, Any]]:
    return list(lake.endpoints())
