"""The fault index (tests/faults/README.md) names a test for every try of issue 9 in its scope: each must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

FAULTS = Path(__file__).parent
TESTS = FAULTS.parent


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_cli_fault_index_names_only_tests_that_exist() -> None:
    index = (FAULTS / "README.md").read_text()
    rows = [line for line in index.splitlines() if line.startswith("| ") and "test_" in line]
    assert len(rows) >= 15
    for row in rows:
        current: Path | None = None
        for file, name in re.findall(r"`(?:(test_\w+\.py))?(?:::(test_\w+))?`", row.split("|")[2]):
            if file:
                current = FAULTS / file if (FAULTS / file).exists() else TESTS / file
                assert current.exists(), file
            if name:
                assert current is not None, row
                assert name in _defined(current), f"{current.name}::{name}"
