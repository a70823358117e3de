"""What the generator does for speed must not change what it generates (issue 15: the lake and truth stay
byte-identical for a seed), nor leave the process's garbage collector changed."""

from __future__ import annotations

import gc
import gzip
import hashlib
import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, SyntheticLake, generate_lake
from ingest.landing import BufferingHints
from ingest.synthetic import planned_lake_frozen
from ingest.synthetic.config import from_ms, iso_ms
from ingest.synthetic.scenarios import Planner

#: sha256 over every object's key and sha256 of its content (gzip objects decompressed) of a lake ``generate_lake``
#: wrote for ``_GOLDEN_CONFIG``, computed with main's code at commit dc0a03d, whose stored bytes were still those of
#: commit 52f2e20, *before* the speed work that followed it (the lander's per-record path, the frozen planned lake,
#: the LocalStore without mkstemp, …): byte identity was that work's rule. Change these only for a change that means
#: to alter the generated records, and say so in its commit.
_GOLDEN_CONFIG = GeneratorConfig(seed=7, events=1_500, days=3, end=datetime(2026, 11, 20))
_GOLDEN = {
    "gzip, delimited, Firehose's default buffers": "ff271191697a66e32bee14d07fdca658c761948425b4cd804c94e3559a139de8",
    "plain, undelimited, 50 records an object": "822cdb16704fd1d4c71740b47e27f4a804075d959564c86378246110d95786af",
}
#: The same over the stored bytes themselves (gzip as written): these changed once, on purpose, when synthetic objects
#: went from zlib's deflate to ISA-L's (``ingest.generator.synthetic_gzip``): other gzip bytes for the same records.
_GOLDEN_STORED = {
    "gzip, delimited, Firehose's default buffers": "04822109e4fdf323e4a15e3c067862489d436b8b4c950e970f683f3a1947f694",
    "plain, undelimited, 50 records an object": "ca02f30e9c7544ad51c84dfe3b117b095faac74a58e60f0dde760730eb3879be",
}


def _lake_digests(root: Path, **options: object) -> tuple[str, str]:
    """(content digest, stored-bytes digest) of the golden lake generated into ``root``."""
    store = LocalStore(root)
    generate_lake(_GOLDEN_CONFIG, store, **options)  # type: ignore[arg-type]
    content, stored_bytes = hashlib.sha256(), hashlib.sha256()
    for stored in store.list():
        data = store.get(stored.key)
        name = f"{stored.key}\n".encode()
        content.update(name)
        content.update(hashlib.sha256(gzip.decompress(data) if stored.key.endswith(".gz") else data).digest())
        stored_bytes.update(name)
        stored_bytes.update(hashlib.sha256(data).digest())
    return content.hexdigest(), stored_bytes.hexdigest()


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
    tmp_path: Path, name: str, options: dict[str, object]
) -> None:
    """Every object, the endpoint export, the catalog and the truth, by name and content; and as stored (gzip bytes)."""
    content, stored_bytes = _lake_digests(tmp_path, **options)
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
