"""A small generated lake plus one broken object of every kind, built once with `englake models build` (dbt for real).

Each ``test_objects_<kind>.py`` checks its own object: every line accounted for by the sweep and the reader, the
build finished, and the object (or line) in the quarantine users see. One build serves them all, because dbt is the
slow part and the machine is shared; the build itself failing fails every kind's test with dbt's message.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from englake.cli import app
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, generate_lake
from tests.faults.broken import END, BuiltLake, broken_objects


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory: pytest.TempPathFactory) -> BuiltLake:
    root = tmp_path_factory.mktemp("faults") / "lake"
    store = LocalStore(root)
    generate_lake(GeneratorConfig(seed=3, events=300, days=1, end=END), store)
    objects = broken_objects()
    for broken in objects:
        store.put(broken.key, broken.data)
    result = CliRunner().invoke(app, ["models", "build", "--lake", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return BuiltLake(root, store, {b.kind: b for b in objects}, result.output)
