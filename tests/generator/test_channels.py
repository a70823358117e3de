"""Channels are registered with their shares; named rates govern their outcomes; a generated lake lands the same
bytes every time."""

from __future__ import annotations

import gc
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from englake.storage import LocalStore
from ingest.generator import SYNTHETIC_GZIP_LEVEL, GeneratorConfig, generate, generate_lake
from ingest.synthetic.channels import CHANNELS, email_funnel
from ingest.synthetic.scenarios import Planner
from tests.generator.contract import END, classify, raw_type

SMALL = GeneratorConfig(seed=3, events=3_000, days=3, end=END)


def distinct_events(config: GeneratorConfig) -> list[tuple[str, dict[str, Any]]]:
    seen: set[str] = set()
    out = []
    for record in generate(config).records():
        if record.line in seen:
            continue
        seen.add(record.line)
        try:
            obj = json.loads(record.line)
        except json.JSONDecodeError:
            continue
        producer = classify(obj)
        if producer is not None:
            out.append((producer, obj))
    return out


@pytest.mark.parametrize(
    "config",
    [GeneratorConfig(), GeneratorConfig(ses_share=0.5, eum_share=0.2, app_share=0.1), GeneratorConfig(app_share=0.0)],
)
def test_registered_channels_share_all_events_and_plan_on_the_planner(config: GeneratorConfig) -> None:
    assert sum(channel.share(config) for channel in CHANNELS) == pytest.approx(1.0)
    for channel in CHANNELS:
        assert callable(getattr(Planner, channel.unit)), channel.name
        assert issubclass(Planner, channel.mixin)


def test_each_producer_gets_its_configured_share_of_events() -> None:
    config = GeneratorConfig(
        seed=9,
        events=6_000,
        days=5,
        end=END,
        ses_share=0.4,
        eum_share=0.2,
        app_share=0.1,
        mms_share=0.04,
        voice_share=0.03,
        rcs_share=0.03,
        whatsapp_share=0.05,
    )
    events = distinct_events(config)
    producers = ("ses", "sms", "social", "pinpoint")
    share = {p: sum(1 for producer, _ in events if producer == p) / len(events) for p in producers}
    assert share["ses"] == pytest.approx(0.4, abs=0.04)
    # End User Messaging SMS, MMS, voice and RCS share a stream; Pinpoint SMS is on the pinpoint stream
    assert share["sms"] == pytest.approx(0.2 + 0.04 + 0.03 + 0.03, abs=0.04)
    assert share["social"] == pytest.approx(0.05, abs=0.02)  # WhatsApp
    assert share["pinpoint"] == pytest.approx(0.25, abs=0.04)  # campaigns, journeys and app events


def test_the_new_channels_are_a_modest_share_of_the_default_lake() -> None:
    config = GeneratorConfig()
    assert config.mms_share + config.voice_share + config.rcs_share + config.whatsapp_share <= 0.1


def test_shares_that_leave_pinpoint_less_than_nothing_are_refused() -> None:
    with pytest.raises(ValueError, match="whatsapp_share must not exceed 1"):
        GeneratorConfig(ses_share=0.5, eum_share=0.3, app_share=0.2, whatsapp_share=0.1)


def _bot_opens(events: list[tuple[str, dict[str, Any]]]) -> int:
    return sum(
        1
        for producer, obj in events
        if producer == "ses" and raw_type(producer, obj) == "Open" and obj["open"].get("isBotEvent") == "Likely"
    )


def test_a_named_rate_governs_its_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _bot_opens(distinct_events(SMALL)) > 0
    monkeypatch.setattr(email_funnel, "BOT_OPEN_P", 0.0)
    assert _bot_opens(distinct_events(SMALL)) == 0


def test_planning_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    generate(GeneratorConfig(events=200, days=1, end=END))
    assert gc.isenabled()


def _landed(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generate_lake_writes_the_same_bytes_every_time_as_fast_gzip(tmp_path: Path) -> None:
    config = GeneratorConfig(seed=4, events=1_500, days=2, end=END)
    for name in ("a", "b"):
        generate_lake(config, LocalStore(tmp_path / name))
    first, second = _landed(tmp_path / "a"), _landed(tmp_path / "b")
    assert first == second
    raw = [data for key, data in first.items() if key.startswith("raw/")]
    assert raw
    # Gzip members (RFC 1952) with no timestamp, deflated by zlib at its fastest level: exactly what zlib makes of the
    # records, which any machine reproduces (header byte 8, XFL: 4 = "compressor used fastest algorithm").
    assert SYNTHETIC_GZIP_LEVEL == 1
    for data in raw:
        assert data[:8] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00"  # magic, deflate, no flags, mtime 0
        assert data[8] == 4
        assert data == gzip.compress(gzip.decompress(data), compresslevel=1, mtime=0)
