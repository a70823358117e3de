"""What the generator does for speed must not change what it generates (issue 15: the lake and truth stay
byte-identical for a seed), nor leave the process's garbage collector changed."""

from __future__ import annotations

import gc
import gzip
import hashlib
import itertools
import os
import random
import re
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from englake.errors import InputError, LakeError
from englake.storage import LocalStore, open_lake
from ingest.generator import (
    TRUTH_KEY,
    GeneratorConfig,
    GroundTruth,
    SyntheticLake,
    default_workers,
    generate_lake,
    land_synthetic,
    stream_groups,
    usable_cores,
)
from ingest.landing import BufferingHints
from ingest.layout import Producer
from ingest.synthetic import planned_lake_frozen
from ingest.synthetic.config import from_ms, iso_ms
from ingest.synthetic.scenarios import Planner
from ingest.synthetic.truth import TruthBuilder

#: sha256 over every object's name (its UUID left out) and the sha256 of its content (gzip objects decompressed), in
#: that order, of a lake ``generate_lake`` wrote for ``_GOLDEN_CONFIG``; computed with main's code at commit dc0a03d,
#: whose stored bytes were still those of commit 52f2e20, *before* the speed work that followed it (the lander's
#: per-record path, the frozen planned lake, the LocalStore without mkstemp, …): byte identity was that work's rule.
#: Change these only for a change that means to alter the generated records, and say so in its commit.
_GOLDEN_CONFIG = GeneratorConfig(seed=7, events=1_500, days=3, end=datetime(2026, 11, 20))
_GOLDEN = {
    "gzip, delimited, Firehose's default buffers": "f3556c1492652e0839a3ccaca62a6da68afd2fe2a8df22c4cb427bea8fb803aa",
    "plain, undelimited, 50 records an object": "2c69d2b120bf90e7282f68c0ff955c0f391bff63c4489d37df0f6bb006cfe934",
}
#: The same over the objects as stored: their whole names and their bytes (gzip as written). These changed on
#: purpose when each stream's object UUIDs came from a sequence of its own (``FirehoseLander``: the streams land in
#: parallel). They hold on any machine: the digest of an ISA-L deflated lake computed here failed on CI's machine
#: (ISA-L picks its deflate kernel by CPU), which is why synthetic objects stay zlib's (``synthetic_gzip``).
_GOLDEN_STORED = {
    "gzip, delimited, Firehose's default buffers": "35dafa2c667bd3815885287046d3a3105e8db8d78bf0321093c58b2a2be0248d",
    "plain, undelimited, 50 records an object": "ec4372a61d914367ccda58112fffcaa71210d460ab9d4ce69c1be9b44337f631",
}
_OBJECT_UUID = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _lake_digests(root: Path, **options: object) -> tuple[str, str]:
    """(content digest, stored digest) of the golden lake generated into ``root``."""
    store = LocalStore(root)
    generate_lake(_GOLDEN_CONFIG, store, **options)  # type: ignore[arg-type]
    contents, stored_bytes = [], hashlib.sha256()
    for stored in store.list():
        data = store.get(stored.key)
        content = gzip.decompress(data) if stored.key.endswith(".gz") else data
        contents.append((_OBJECT_UUID.sub("", stored.key), hashlib.sha256(content).digest()))
        stored_bytes.update(f"{stored.key}\n".encode())
        stored_bytes.update(hashlib.sha256(data).digest())
    content_digest = hashlib.sha256()
    for name, digest in sorted(contents):
        content_digest.update(f"{name}\n".encode())
        content_digest.update(digest)
    return content_digest.hexdigest(), stored_bytes.hexdigest()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gzip, delimited, Firehose's default buffers", {}),
        (
            "plain, undelimited, 50 records an object",
            {"gzip_objects": False, "delimited": False, "hints": BufferingHints(max_records=50)},
        ),
    ],
)
def test_generated_lake_is_byte_identical_to_the_one_before_the_speed_work(
    tmp_path: Path, name: str, options: dict[str, object], workers: int
) -> None:
    """Every object, the endpoint export, the catalog and the truth, by name and content; and as stored (gzip bytes);
    in one process or with the streams landed by worker processes."""
    content, stored_bytes = _lake_digests(tmp_path, **options, workers=workers)
    assert content == _GOLDEN[name]
    assert stored_bytes == _GOLDEN_STORED[name]


@pytest.fixture
def collector_state() -> Iterator[None]:
    """Restore the collector as the test found it, whatever the test does."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


@pytest.mark.usefixtures("collector_state")
def test_planning_leaves_the_collector_on_and_nothing_frozen() -> None:
    gc.enable()
    SyntheticLake(GeneratorConfig(seed=3, events=300, end=datetime(2026, 11, 20)))
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_state")
def test_planning_with_the_collector_off_leaves_it_off() -> None:
    gc.disable()
    SyntheticLake(GeneratorConfig(seed=3, events=300, end=datetime(2026, 11, 20)))
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_the_planned_lake_is_frozen_while_records_render_and_released_after() -> None:
    lake = SyntheticLake(GeneratorConfig(seed=3, events=300, end=datetime(2026, 11, 20)))
    assert gc.get_freeze_count() == 0
    records = lake.encoded()
    next(records)
    assert gc.get_freeze_count() > 0  # the lake's entries, among everything alive
    for _ in records:
        pass
    assert gc.get_freeze_count() == 0
    abandoned = lake.encoded()
    next(abandoned)
    abandoned.close()  # a consumer that stops early (an error while landing) releases the freeze too
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_state")
def test_someone_elses_freeze_is_left_in_place() -> None:
    """A server that froze its objects before forking keeps them frozen through planning and landing."""
    gc.freeze()
    theirs = gc.get_freeze_count()
    lake = SyntheticLake(GeneratorConfig(seed=3, events=300, end=datetime(2026, 11, 20)))
    with planned_lake_frozen():
        for _ in lake.encoded():
            pass
    assert gc.get_freeze_count() >= theirs


def test_epoch_milliseconds_convert_as_timedelta_milliseconds_does() -> None:
    """``from_ms`` and ``iso_ms`` pass milliseconds positionally; the value must be ``timedelta(milliseconds=ms)``'s."""
    rng = random.Random(15)
    samples = [0, 1, 999, 1000, 86_399_999, 86_400_000, *(rng.randrange(0, 4_102_444_800_000) for _ in range(20_000))]
    for ms in samples:
        expected = datetime(1970, 1, 1) + timedelta(milliseconds=ms)
        assert from_ms(ms) == expected
        assert iso_ms(ms) == expected.isoformat(timespec="milliseconds") + "Z"


def test_records_are_planned_in_arrival_then_planning_order() -> None:
    """The planner sorts by arrival alone (stably); the order must be the full (arrival, seq) order it stands for,
    which holds only while every entry is appended in ``seq`` order."""
    planner = Planner(GeneratorConfig(seed=9, events=3_000, end=datetime(2026, 11, 20)))
    planner.run()
    keys = [(arrival, seq) for arrival, seq, *_ in planner.entries]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert any(a[0] == b[0] for a, b in itertools.pairwise(keys))  # ties exist, so their order is tested too


def test_worker_processes_report_what_one_process_reports(tmp_path: Path) -> None:
    """Every stream in a process of its own (five workers) or all in one: the same objects, records and counts."""
    config = GeneratorConfig(seed=12, events=3_000, days=2, end=datetime(2026, 11, 20))
    results, progress = {}, {}
    for workers in (1, 5):
        seen: list[tuple[int, int]] = []
        results[workers] = generate_lake(
            config, LocalStore(tmp_path / str(workers)), workers=workers, progress=lambda *a, seen=seen: seen.append(a)
        )
        progress[workers] = seen
    one, five = results[1], results[5]
    assert five.landing.objects == one.landing.objects
    assert (five.records, five.unassigned, five.endpoints, five.endpoint_key) == (
        one.records,
        one.unassigned,
        one.endpoints,
        one.endpoint_key,
    )
    truth = GroundTruth.from_json((tmp_path / "5" / TRUTH_KEY).read_text())
    assert five.records == truth.records_written
    assert five.unassigned == truth.records_by_producer.get("unknown", 0) > 0
    for seen in progress.values():
        assert seen[-1] == (truth.records_written, truth.records_written)
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_streams_are_shared_out_whole_busiest_first() -> None:
    lake = SyntheticLake(GeneratorConfig(seed=12, events=3_000, days=2, end=datetime(2026, 11, 20)))
    lines = lake.lines_per_stream()
    assert sum(lines.values()) == len(lake)
    assert stream_groups(lake, 1) == [tuple(sorted(Producer, key=lambda p: -lines[p]))]
    two = stream_groups(lake, 2)
    assert sorted(p for group in two for p in group) == sorted(Producer)
    busiest = max(Producer, key=lambda p: lines[p])
    assert two[0][0] == busiest
    assert stream_groups(lake, 9) == [(p,) for p in sorted(Producer, key=lambda p: -lines[p])]  # one per stream


def test_a_worker_that_fails_fails_the_landing(tmp_path: Path) -> None:
    """An error in a worker process reaches the caller as itself, not as a hang or a partial report."""
    lake = SyntheticLake(GeneratorConfig(seed=12, events=500, days=1, end=datetime(2026, 11, 20)))

    def refuse(body: bytes) -> bytes:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device"):
        land_synthetic(lake, LocalStore(tmp_path), application_id="app", export_id="x", compress=refuse, workers=2)


def test_a_worker_killed_on_the_way_is_one_clear_error(tmp_path: Path) -> None:
    """A worker the kernel kills (the OOM killer's SIGKILL) leaves no exception behind: the pool breaks, and the
    caller gets one line saying what happened and what to do."""
    lake = SyntheticLake(GeneratorConfig(seed=12, events=500, days=1, end=datetime(2026, 11, 20)))

    def killed(body: bytes) -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)
        return body

    with pytest.raises(LakeError, match=r"a worker process landing .* stopped abruptly \(killed, or out of memory"):
        land_synthetic(lake, LocalStore(tmp_path), application_id="app", export_id="x", compress=killed, workers=2)


def test_workers_are_for_a_local_lake_and_at_least_one(tmp_path: Path) -> None:
    lake = SyntheticLake(GeneratorConfig(seed=12, events=200, days=1, end=datetime(2026, 11, 20)))
    with pytest.raises(InputError, match="workers must be at least 1, got 0"):
        land_synthetic(lake, LocalStore(tmp_path), application_id="app", export_id="x", workers=0)
    bucket = open_lake("s3://lake-bucket/team", s3_client=object())  # refused before any call
    with pytest.raises(InputError, match="worker processes land into a local lake only; s3://lake-bucket/team/"):
        land_synthetic(lake, bucket, application_id="app", export_id="x", workers=2)
    assert default_workers(bucket) == 1
    assert 1 <= default_workers(LocalStore(tmp_path)) <= min(usable_cores(), len(Producer))


@pytest.mark.usefixtures("collector_state")
def test_the_truth_finishes_on_first_use_once_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning leaves the truth's last pass to the first ``truth`` (land_synthetic's workers render meanwhile)."""
    calls: list[bool] = []
    finish = TruthBuilder.finish

    def counted(builder: TruthBuilder) -> GroundTruth:
        calls.append(gc.isenabled())
        return finish(builder)

    monkeypatch.setattr(TruthBuilder, "finish", counted)
    gc.enable()
    lake = SyntheticLake(GeneratorConfig(seed=3, events=300, end=datetime(2026, 11, 20)))
    assert calls == []
    truth = lake.truth
    assert lake.truth is truth
    assert calls == [False]  # once, with the collector off
    assert gc.isenabled()
    assert truth.records_written == len(lake)
