"""The wheel is the product: built offline from this tree with the pinned build backend, it carries the dbt project,
and installed into a fresh virtualenv it runs `englake models build` on a small lake from a folder outside the
repository (the defect: the wheel left dbt_project/ out, so only an editable install could build the models)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import duckdb
import pytest

from ingest.generator import TRUTH_KEY, GeneratorConfig, generate_lake
from ingest.storage import LocalStore
from ingest.synthetic.truth import GroundTruth

ROOT = Path(__file__).resolve().parent.parent
#: What the build reads: the project metadata, the packages and the dbt project they link to.
SOURCES = ("pyproject.toml", "README.md", "englake", "ingest", "segmentation", "handlers", "dbt_project")
PACKAGES = ("englake", "ingest", "segmentation", "handlers")

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the tree (no network: --no-build-isolation uses the pinned setuptools)."""
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "target", "logs", "dbt_packages", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (built,) = dist.glob("englake-*.whl")
    return built


def test_the_wheel_carries_the_dbt_project_and_every_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    project = ROOT / "dbt_project"
    wanted = {
        "englake/dbt_project/" + p.relative_to(project).as_posix()
        for p in project.rglob("*")
        # dbt's own output (target/, logs/, .user.yml) is not part of the project.
        if p.is_file()
        and not {"target", "target-analyses", "logs", "dbt_packages"} & set(p.relative_to(project).parts)
        and not p.name.startswith(".")
    }
    assert "englake/dbt_project/dbt_project.yml" in wanted
    assert wanted <= names, sorted(wanted - names)[:10]
    assert not [n for n in names if n.startswith(("englake/dbt_project/target/", "englake/dbt_project/logs/"))]
    # Every Python package of the tree is in the wheel.
    for package in PACKAGES:
        for init in (ROOT / package).rglob("__init__.py"):
            assert init.relative_to(ROOT).as_posix() in names


def test_the_installed_wheel_builds_the_models_from_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The locked dependencies come from the test environment (installed from requirements/test.lock): appended after
    # the fresh site-packages, so englake itself can only come from the wheel.
    (site / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    lake = tmp_path / "lake"
    generate_lake(GeneratorConfig(seed=5, events=400, days=2), LocalStore(lake))
    truth = GroundTruth.from_json(LocalStore(lake).get(TRUTH_KEY).decode())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [python, "-c", "import englake.dbt as d; print(d.__file__); print(d.project_dir())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
        timeout=120,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where

    build = subprocess.run(
        [venv / "bin" / "englake", "models", "build", "--lake", str(lake), "--select", "+email_send +email_open"],
        capture_output=True,
        text=True,
        check=False,
        cwd=elsewhere,
        timeout=900,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    with duckdb.connect(str(lake / "englake.duckdb"), read_only=True) as connection:
        for view in ("email_send", "email_open"):
            (count,) = connection.execute(f"select count(*) from {view}").fetchone()
            assert count == truth.view_rows[view] > 0, view
