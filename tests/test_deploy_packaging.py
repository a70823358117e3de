"""Lambda packaging (deploy/lambda/): every function is built by the Makefile from the project's packages and pinned
dependencies that equal requirements/runtime.lock, and each built package imports its handler on its own."""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import sysconfig
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
LAMBDA = DEPLOY / "lambda"
LOCK = ROOT / "requirements" / "runtime.lock"
REQUIREMENT_FILES = sorted(LAMBDA.glob("requirements-*.txt"))
FUNCTION_TEMPLATES = ("email-ops.yaml", "segmentation.yaml")
#: What the python3.11 Lambda runtime itself provides: the AWS SDK for Python and its dependencies (botocore uses
#: certifi when it is there and its own CA bundle when not).
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3", "certifi"}
#: What the sync takes from its dependencies layer or image (deploy/README.md, "Packaging").
SYNC_HEAVY = {"duckdb", "_duckdb", "pyarrow", "pandas", "numpy", "awswrangler", "packaging"}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)")
_HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


def pinned(path: Path) -> dict[str, tuple[str, set[str]]]:
    """``name -> (version, hashes)`` of a hashed requirements file; any other requirement line is an error."""
    entries: dict[str, tuple[str, set[str]]] = {}
    hashes: set[str] | None = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if not line.startswith(" "):
                hashes = None
            continue
        if match := _PIN.match(line):
            hashes = set()
            entries[canonicalize_name(match.group(1))] = (match.group(2), hashes)
            hashes.update(_HASH.findall(line))
        elif hashes is not None and line.startswith(" ") and stripped.startswith("--hash="):
            hashes.update(_HASH.findall(stripped))
        else:
            raise AssertionError(f"{path.name}:{number}: not an exact name==version pin: {line!r}")
    return entries


@cache
def lock() -> dict[str, tuple[str, set[str]]]:
    return pinned(LOCK)


@pytest.mark.parametrize("path", REQUIREMENT_FILES, ids=lambda p: p.name)
def test_lambda_requirements_pin_exactly_the_lock(path: Path) -> None:
    entries = pinned(path)
    assert entries, path.name
    for name, (version, hashes) in entries.items():
        assert name in lock(), f"{path.name}: {name} is not in requirements/runtime.lock"
        locked_version, locked_hashes = lock()[name]
        assert version == locked_version, f"{path.name}: {name}=={version}, the lock has {locked_version}"
        assert hashes == locked_hashes, f"{path.name}: {name}'s hashes differ from the lock's"


@pytest.mark.parametrize("path", REQUIREMENT_FILES, ids=lambda p: p.name)
def test_lambda_requirements_carry_every_dependency(path: Path) -> None:
    """What the pinned distributions require (on Lambda's Linux, Python 3.11, no extras) is pinned too."""
    from importlib.metadata import distribution

    environment = {**default_environment(), "sys_platform": "linux", "platform_system": "Linux"}
    environment |= {"python_version": "3.11", "extra": ""}
    entries = pinned(path)
    for name in entries:
        for text in distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            assert canonicalize_name(requirement.name) in entries, f"{path.name}: {name} needs {requirement.name}"


# ---------------------------------------------------------------- templates ↔ Makefile


def functions() -> list[tuple[str, str, dict[str, Any]]]:
    """(template, logical id, properties with the template's Globals applied) of every serverless function."""
    found = []
    for name in FUNCTION_TEMPLATES:
        template = cfn_yaml.load(str(DEPLOY / name))
        globals_ = template.get("Globals", {}).get("Function", {})
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::Serverless::Function":
                found.append((name, logical_id, {**globals_, **resource["Properties"], **resource}))
    return found


FUNCTIONS = functions()


def dry_run(logical_id: str, **variables: str) -> str:
    args = [f"{k}={v}" for k, v in {"ARTIFACTS_DIR": "/nonexistent/artifacts", **variables}.items()]
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-f", str(LAMBDA / "Makefile"), f"build-{logical_id}", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def recipe(logical_id: str, **variables: str) -> tuple[tuple[str, ...], str, set[str]]:
    """(packages copied, requirements file, wheel architectures) of a function's build target."""
    commands = dry_run(logical_id, **variables)
    packages = re.search(r"for package in ([^;]+);", commands)
    requirements = re.search(r'-r "[^"]*/(requirements-[a-z-]+\.txt)"', commands)
    assert packages, commands
    assert requirements, commands
    architectures = set(re.findall(r"--platform manylinux[0-9_]*_(x86_64|aarch64)", commands))
    return tuple(packages.group(1).split()), requirements.group(1), architectures


@pytest.mark.parametrize(("template", "logical_id", "function"), FUNCTIONS, ids=[f[1] for f in FUNCTIONS])
def test_every_function_is_built_by_the_lambda_makefile(template: str, logical_id: str, function: dict) -> None:
    assert function["CodeUri"] == "lambda/", f"{template}: {logical_id}"
    assert function["Metadata"]["BuildMethod"] == "makefile", f"{template}: {logical_id}"
    assert (DEPLOY / function["CodeUri"] / "Makefile").is_file()
    packages, requirements, architectures = recipe(logical_id)
    assert (LAMBDA / requirements).is_file()
    # Wheels for the architecture the template runs the function on (SAM does not tell make).
    (architecture,) = function.get("Architectures", ["x86_64"])
    assert architectures == {"aarch64" if architecture == "arm64" else "x86_64"}, logical_id
    assert function["Handler"].split(".")[0] in packages
    assert function["Runtime"] == "python3.11"


# ---------------------------------------------------------------- build for real, import in a fresh interpreter

_PROBE = """
import importlib, json, sys, sysconfig
package, outside = sys.argv[1], sys.argv[2]
sys.path[:0] = [package]
sys.path.append(outside)  # where the runtime's SDK (and the sync's layer) come from here
handlers = {}
for handler in sys.argv[3:]:
    module, _, name = handler.rpartition(".")
    handlers[handler] = callable(getattr(importlib.import_module(module), name))
stdlib = sysconfig.get_paths()["stdlib"]
origins = {}
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None) or ""
    top = name.split(".")[0]
    if path.startswith(package):
        origins.setdefault(top, "package")
    elif path.startswith(outside):
        origins[top] = "outside"
print(json.dumps({"handlers": handlers, "origins": origins}))
"""


def host_architecture() -> str:
    return {"arm64": "aarch64", "AMD64": "x86_64"}.get(platform.machine(), platform.machine())


def groups() -> dict[tuple[tuple[str, ...], str], list[tuple[str, str]]]:
    """Functions that share one build recipe → [(logical id, handler)]."""
    grouped: dict[tuple[tuple[str, ...], str], list[tuple[str, str]]] = {}
    for _, logical_id, function in FUNCTIONS:
        packages, requirements, _ = recipe(logical_id)
        grouped.setdefault((packages, requirements), []).append((logical_id, function["Handler"]))
    return grouped


@pytest.mark.parametrize("group", list(groups().items()), ids=lambda g: g[0][1])
def test_built_packages_import_their_handlers_on_their_own(tmp_path: Path, group: Any) -> None:
    """Build with the Makefile (pip, wheels for this machine), then import every handler with only the package on
    the path, plus the virtualenv standing in for what Lambda provides outside the package."""
    (packages, requirements), members = group
    artifacts = tmp_path / "artifacts"
    logical_id = members[0][0]
    build = subprocess.run(
        [
            *("make", "-s", "-f", str(LAMBDA / "Makefile"), f"build-{logical_id}", f"ARTIFACTS_DIR={artifacts}"),
            *(f"ARCH={host_architecture()}", f"PYTHON={sys.executable}"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert not list(artifacts.rglob("__pycache__"))
    assert not (artifacts / "boto3").exists()  # the runtime's
    assert not (artifacts / "botocore").exists()

    outside = sysconfig.get_paths()["purelib"]
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _PROBE, str(artifacts), outside, *(h for _, h in members)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout)
    assert all(result["handlers"].values()), result["handlers"]
    assert {top for top, origin in result["origins"].items() if origin == "package"} >= set(packages)
    allowed = RUNTIME_PROVIDED | (SYNC_HEAVY if "segmentation" in packages else set())
    from_outside = {top for top, origin in result["origins"].items() if origin == "outside"}
    assert from_outside <= allowed, f"{requirements} misses {sorted(from_outside - allowed)}"
