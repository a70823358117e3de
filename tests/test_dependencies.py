"""The product's code imports only what `make demo` installs (requirements/runtime.lock), never a test-only tool."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("englake", "ingest", "segmentation", "handlers")


def _locked(lock: str) -> set[str]:
    names = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==", (ROOT / "requirements" / lock).read_text(), re.M)
    return {re.sub(r"[-_.]+", "-", name).lower() for name in names}


def _imported_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_product_code_imports_only_runtime_dependencies() -> None:
    runtime = _locked("runtime.lock")
    distributions = packages_distributions()
    outside = {}
    for module, files in _imported_modules().items():
        if module in PACKAGES or module in sys.stdlib_module_names or module == "__future__":
            continue
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not owners & runtime:
            outside[module] = sorted(files)
    assert outside == {}, f"imported by product code but not in requirements/runtime.lock: {outside}"


def test_the_check_catches_a_test_only_import() -> None:
    runtime = _locked("runtime.lock")
    assert "moto" not in runtime  # a test tool: importing it from product code must fail the test above
    assert "moto" in _locked("test.lock")


def test_every_import_is_a_declared_dependency_and_every_dependency_is_used() -> None:
    """deptry over the product code (make test runs it too): pyarrow was imported in ten files and declared nowhere,
    arriving only through awswrangler; a transitive import like that now fails here."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "deptry"), "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
