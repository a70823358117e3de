"""The package boundaries, read from the import statements of the source (every import, lazy ones included).

Layers, bottom up (README, "Architecture"):
- core: englake's settings, errors, project lookup, AWS clients, lake object store, time helpers, Pinpoint quotas.
  Everything may import it; it imports nothing of ours outside itself.
- ingest (the lake's layout, landing, reading), segmentation (the sync), handlers (the Lambda functions), the rest of
  englake (models, queries, reports).
- the command line and the demo on top: ``englake/cli.py``, ``englake/demo.py`` and each package's ``cli.py``.
  Nothing below imports them, and what they render (rich tables) stays with them.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("englake", "ingest", "segmentation", "handlers")

CORE = frozenset(
    {
        "englake.aws",
        "englake.errors",
        "englake.pinpoint_quotas",
        "englake.project",
        "englake.settings",
        "englake.storage",
        "englake.timestamps",
    }
)
#: The top floor: command-line modules and the demo (which prints every step).
TOP = frozenset({"englake.cli", "englake.demo", "englake.campaigns", "segmentation.report_view"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "dbt_project" not in path.parts
    }


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The modules of ours that ``name`` imports (``from x import y`` counts as x.y when x.y is a module of ours)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            # the module itself, or the nearest enclosing module of ours (``import a.b.c`` of a package a.b)
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


GRAPH = {name: sorted(set(_imports(name, path))) for name, path in MODULES.items()}


def _is_top(name: str) -> bool:
    return name in TOP or name.endswith(".cli") or ".cli." in name


def test_the_graph_sees_the_project() -> None:
    """A guard for the test itself: the parse finds the modules and edges the rules below speak of."""
    assert MODULES.keys() >= CORE
    assert "englake.storage" in GRAPH["segmentation.sync"]
    assert "segmentation.cli" in GRAPH["englake.cli"]


def test_core_imports_nothing_of_ours_outside_the_core() -> None:
    outside = {name: [t for t in GRAPH[name] if t not in CORE] for name in CORE}
    assert not {name: targets for name, targets in outside.items() if targets}, outside


def test_segmentation_takes_only_the_lake_layout_from_ingest() -> None:
    """The object store is core (englake.storage); the lake's key layout (ingest.layout, a leaf module) is the one
    fact segmentation shares with the writers of the lake."""
    used = {(name, target) for name in GRAPH if name.startswith("segmentation") for target in GRAPH[name]}
    assert {(n, t) for n, t in used if t.startswith("ingest") and t != "ingest.layout"} == set()
    assert [t for t in GRAPH["ingest.layout"] if t.split(".")[0] in PACKAGES] == []


def test_nothing_below_the_command_line_imports_it() -> None:
    below = {name: [t for t in GRAPH[name] if _is_top(t)] for name in GRAPH if not _is_top(name)}
    assert not {name: targets for name, targets in below.items() if targets}


def test_no_import_cycle() -> None:
    """Between any modules of ours (englake.cli ↔ englake.demo was one): Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in GRAPH:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_sync_lambda_loads_no_report_renderer() -> None:
    """The sync image carries no rich or pygments: importing its handler (as awslambdaric does) loads neither."""
    probe = (
        "import json, sys; import segmentation.handler; renderers = {'rich', 'pygments', 'typer', 'markdown_it'}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & renderers)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == []


def test_the_sync_image_requirements_name_no_renderer() -> None:
    pinned = (ROOT / "deploy" / "lambda" / "requirements-sync-image.txt").read_text()
    names = {line.split("==")[0] for line in pinned.splitlines() if "==" in line}
    assert names & {"rich", "pygments", "markdown-it-py", "mdurl"} == set()


def test_the_sync_is_wired_once() -> None:
    """The CLI, the embedded main job and the Lambda all go through segmentation.wiring.run_sync."""
    for name in ("segmentation.cli", "segmentation.embedded", "segmentation.handler"):
        assert "segmentation.wiring" in GRAPH[name], name
        assert "segmentation.destinations" not in GRAPH[name] or name == "segmentation.cli", name
    callers = [name for name in GRAPH if "segmentation.sync" in GRAPH[name] and not name.startswith("tests")]
    assert sorted(callers) == ["segmentation.wiring"]


@pytest.mark.parametrize("literal", ["AdvancedSegmentTarget", "pinpoint/latest/developerguide/quotas.html"])
def test_a_pinpoint_fact_is_written_once_in_product_code(literal: str) -> None:
    holders = [name for name, path in MODULES.items() if literal in path.read_text(encoding="utf-8")]
    assert holders == ["englake.pinpoint_quotas"]


def test_python_and_dbt_name_the_same_producers() -> None:
    """ingest.layout.Producer (Python; the Lambda packages carry no dbt project) and the dbt var englake__producers
    (the models' one list) are the same producers in the same order; the lake sources declare one raw table each."""
    from ingest.layout import Producer

    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    assert project["vars"]["englake__producers"] == [p.value for p in Producer]
    sources = yaml.safe_load((ROOT / "dbt_project" / "models" / "staging" / "lake" / "_lake__sources.yml").read_text())
    tables = {table["name"] for source in sources["sources"] for table in source["tables"]}
    assert {f"raw_{p.value}" for p in Producer} <= tables


@pytest.mark.dbt
def test_the_readme_diagram_names_what_exists(tmp_path: Path) -> None:
    """The README's Architecture diagram is drawn by hand: every dbt model and Python file it names must exist, and
    each hop of the record's path is a ref (or an import) in the code."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    diagram = section.split("```mermaid\n", 1)[1].split("```", 1)[0]
    models = {path.stem: path for path in (ROOT / "dbt_project" / "models").rglob("*.sql")}
    named_models = set(re.findall(r"\b((?:stg|int|fct|seg|segment|email|sms|lake)_[a-z_]*[a-z])\b", diagram))
    assert named_models - models.keys() - {"segment_name"} == set()  # segment_name: a column of segment_membership
    files = set(re.findall(r"\b((?:segmentation|ingest|englake|handlers)/[\w/]*\.py)\b", diagram))
    assert len(files) >= 5
    assert [f for f in files if not (ROOT / f).is_file()] == []
    # the hops: each model depends on the one before it, as dbt resolves the refs (macros included)
    hops = ["stg_lake__records", "stg_pinpoint__events", "int_events_unioned", "fct_events", "app_event"]
    hops += ["seg_engaged_recent_buyers", "segment_membership"]
    assert set(hops) <= models.keys()
    parents = _dbt_model_parents(tmp_path)
    for upstream, model in itertools.pairwise(hops):
        assert f"model.englake.{upstream}" in parents[model], (upstream, model)


def _dbt_model_parents(tmp_path: Path) -> dict[str, set[str]]:
    """Each model's parent nodes, from ``dbt ls`` over the bundled project (parsing only; nothing is built)."""
    env = {**os.environ, "ENGLAKE_LAKE_PATH": str(tmp_path), "ENGLAKE_DUCKDB_PATH": str(tmp_path / "x.duckdb")}
    project = ROOT / "dbt_project"
    listed = subprocess.run(
        [
            *(str(Path(sys.executable).parent / "dbt"), "ls", "--profiles-dir", str(project), "--project-dir"),
            *(str(project), "--target", "duckdb", "--resource-type", "model", "--output", "json", "--output-keys"),
            *("name depends_on", "--quiet", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    assert listed.returncode == 0, listed.stdout[-2000:] + listed.stderr[-2000:]
    nodes = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
    return {node["name"]: set(node["depends_on"]["nodes"]) for node in nodes}
