"""Lambda packaging (deploy/lambda/): every zip function is built by the Makefile and the segment sync's container
image by the Dockerfile, both from the project's packages and pinned dependencies that equal requirements/runtime.lock;
each built package (and the image's /var/task, installed without Docker) imports its handler on its own."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
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
#: Subsets of the lock (written by `make -f deploy/lambda/Makefile requirements`).
REQUIREMENT_FILES = sorted(LAMBDA.glob("requirements-*.txt"))
#: The sync image's runtime interface client: not in the lock, pinned by hand.
RUNTIME_INTERFACE_CLIENT = LAMBDA / "runtime-interface-client.txt"
FUNCTION_TEMPLATES = ("email-ops.yaml", "segmentation.yaml", "hooks.yaml", "sms-ops.yaml", "audiences.yaml")
#: What the python3.11 Lambda runtime itself provides: the AWS SDK for Python and its dependencies (botocore uses
#: certifi when it is there and its own CA bundle when not).
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3", "certifi"}
#: glibc of Amazon Linux 2023, the sync image's base (public.ecr.aws/lambda/provided:al2023).
AL2023_GLIBC_MINOR = 34
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


def test_the_runtime_interface_client_is_pinned_by_hand_outside_the_lock() -> None:
    entries = pinned(RUNTIME_INTERFACE_CLIENT)
    assert "awslambdaric" in entries
    for name, (version, hashes) in entries.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), f"{name}=={version} is not an exact version"
        assert hashes, f"{name} has no --hash"
        # A distribution of the lock belongs in a lock subset, with the lock's version and hashes.
        assert name not in lock(), f"{name} is in requirements/runtime.lock: take it from there"


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


# ---------------------------------------------------------------- templates ↔ Makefile and Dockerfile


def functions(package_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(template, logical id, properties with the template's Globals applied) of every serverless function of
    ``package_type`` ("Zip" or "Image")."""
    found = []
    for name in FUNCTION_TEMPLATES:
        template = cfn_yaml.load(str(DEPLOY / name))
        globals_ = template.get("Globals", {}).get("Function", {})
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::Serverless::Function":
                function = {**globals_, **resource["Properties"], **resource}
                if function.get("PackageType", "Zip") == package_type:
                    found.append((name, logical_id, function))
    return found


FUNCTIONS = functions("Zip")
IMAGE_FUNCTIONS = functions("Image")


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


def test_the_makefile_builds_no_image_function() -> None:
    assert [f[1] for f in IMAGE_FUNCTIONS] == ["SyncFunction"]
    for _, logical_id, _ in IMAGE_FUNCTIONS:
        done = subprocess.run(
            ["make", "-n", "-f", str(LAMBDA / "Makefile"), f"build-{logical_id}", "ARTIFACTS_DIR=/nonexistent"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0, f"{logical_id} is an image: a zip target for it would never be used"


# ---------------------------------------------------------------- Dockerfile and its build context


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped, spaces collapsed."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, f"{path}: the last instruction continues past the end of the file"
    return instructions


def dockerfile_copies(path: Path) -> list[tuple[list[str], str]]:
    """([sources], destination) of each COPY from the build context (no --from stage, no other flags)."""
    copies = []
    for keyword, arguments in dockerfile_instructions(path):
        if keyword == "COPY":
            *sources, destination = arguments.split()
            assert not [s for s in sources if s.startswith("--")], f"unexpected COPY flag: {arguments}"
            copies.append(([s.rstrip("/") for s in sources], destination))
    return copies


def image_build(logical_id: str) -> tuple[Path, Path]:
    """(build context, Dockerfile) of an image function, resolved as SAM does: DockerContext relative to the template's
    folder, Dockerfile relative to the context."""
    ((_, _, function),) = [f for f in IMAGE_FUNCTIONS if f[1] == logical_id]
    context = (DEPLOY / function["Metadata"]["DockerContext"]).resolve()
    return context, (context / function["Metadata"]["Dockerfile"]).resolve()


def _docker_pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regular expression on slash-separated paths relative to the context."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


Rule = tuple[bool, re.Pattern[str], str]


def dockerignore(context: Path) -> list[Rule]:
    """(re-included, pattern, text) of the context's .dockerignore, in order."""
    rules = []
    for line in (context / ".dockerignore").read_text().splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            negated = text.startswith("!")
            text = text.removeprefix("!").strip().strip("/")
            rules.append((negated, _docker_pattern(text), text))
    return rules


def ignored(path: str, rules: list[Rule]) -> bool:
    """Docker's rule (moby's patternmatcher, docker-py's alike): the last pattern that matches the path, or the path's
    leading folders as many levels deep as the pattern has, decides; a ``!`` pattern lets the path in."""
    parts = path.split("/")
    result = False
    for negated, pattern, text in rules:
        depth = len(text.split("/"))
        if pattern.fullmatch(path) or (depth < len(parts) and pattern.fullmatch("/".join(parts[:depth]))):
            result = not negated
    return result


def build_context_files(context: Path) -> set[str]:
    """The files Docker sends for ``context``: a folder that is ignored is entered only when a re-include pattern lies
    inside it (as Docker does), so .git and .venv are not even walked."""
    rules = dockerignore(context)
    sent: set[str] = set()
    for folder, subfolders, files in os.walk(context):
        relative = Path(folder).relative_to(context).as_posix()
        prefix = "" if relative == "." else relative + "/"
        subfolders[:] = [
            d
            for d in subfolders
            if not ignored(prefix + d, rules)
            or any(negated and text.startswith(prefix + d + "/") for negated, _, text in rules)
        ]
        sent |= {prefix + f for f in files if not ignored(prefix + f, rules)}
    return sent


@pytest.mark.parametrize(("template", "logical_id", "function"), IMAGE_FUNCTIONS, ids=[f[1] for f in IMAGE_FUNCTIONS])
def test_every_image_function_is_built_from_a_dockerfile_here(template: str, logical_id: str, function: dict) -> None:
    assert set(function["Metadata"]) >= {"DockerContext", "Dockerfile", "DockerTag"}, f"{template}: {logical_id}"
    context, dockerfile = image_build(logical_id)
    assert dockerfile.is_file()
    assert dockerfile.parent == LAMBDA
    assert dockerfile.is_relative_to(context)  # Docker cannot read a Dockerfile from outside its context
    assert (function.get("Architectures") or ["x86_64"]) == ["x86_64"]  # the wheels the image installs are x86_64
    for sources, _ in dockerfile_copies(dockerfile):
        for source in sources:
            assert (context / source).exists(), f"COPY {source}: not in the build context {context}"


@pytest.mark.parametrize("logical_id", [f[1] for f in IMAGE_FUNCTIONS])
def test_the_build_context_holds_only_what_the_dockerfile_copies(logical_id: str) -> None:
    """SAM sends DockerContext (the repository root) to Docker: its .dockerignore must leave out the virtualenv, the
    lake, .git and the tests, and let in every file the Dockerfile copies (bytecode aside)."""
    context, dockerfile = image_build(logical_id)
    sent = build_context_files(context)
    sources = [source for sources, _ in dockerfile_copies(dockerfile) for source in sources]
    dockerfile_path = dockerfile.relative_to(context).as_posix()
    assert dockerfile_path in sent
    for source in sources:
        path = context / source
        wanted = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        wanted = [p for p in wanted if "__pycache__" not in p.parts and p.suffix != ".pyc"]
        assert wanted, source
        missing = {p.relative_to(context).as_posix() for p in wanted} - sent
        assert not missing, f"left out of the build context: {sorted(missing)[:5]}"
    extra = {f for f in sent if f != dockerfile_path and not any(f == s or f.startswith(s + "/") for s in sources)}
    assert not extra, f"sent to Docker but never copied: {sorted(extra)[:10]}"
    assert not [f for f in sent if "__pycache__" in f or f.endswith(".pyc")]
    size = sum((context / f).stat().st_size for f in sent)
    assert size < 5_000_000, f"build context of {size} bytes"


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
    from_outside = {top for top, origin in result["origins"].items() if origin == "outside"}
    assert from_outside <= RUNTIME_PROVIDED, f"{requirements} misses {sorted(from_outside - RUNTIME_PROVIDED)}"


# ---------------------------------------------------------------- the sync image's /var/task, without Docker

_IMAGE_PROBE = """
import importlib, json, sys, sysconfig
task, handler = sys.argv[1], sys.argv[2]
sys.path[:0] = [task]  # PYTHONPATH=/var/task in the image; nothing else is installed there
from awslambdaric import bootstrap  # the image's ENTRYPOINT is python3.11 -m awslambdaric
resolved = bootstrap._get_handler(handler)  # how the runtime interface client resolves CMD
import pyathena.arrow.cursor  # imported on the production path only, when the Athena result is read
stdlib = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
origins = {}
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if path:
        top = name.split(".")[0]
        origins[top] = "task" if path.startswith(task) else "stdlib" if path.startswith(stdlib) else path
print(json.dumps({"callable": callable(resolved), "origins": origins}))
"""


def _pip_step(dockerfile: Path) -> tuple[list[str], list[Path]]:
    """(options, requirement files in deploy/lambda/) of the Dockerfile's pip install."""
    (command,) = [
        args for keyword, args in dockerfile_instructions(dockerfile) if keyword == "RUN" and " pip install " in args
    ]
    install = command.split(" pip install ", 1)[1].split(" && ")[0].split()
    copied = {Path(s).name: s for sources, _ in dockerfile_copies(dockerfile) for s in sources if s.endswith(".txt")}
    files = [install[i + 1] for i, word in enumerate(install) if word == "-r"]
    options = [w for i, w in enumerate(install) if w != "-r" and (i == 0 or install[i - 1] != "-r")]
    return options, [ROOT / copied[Path(f).name] for f in files]


def _glibc_minor() -> int | None:
    name, version = platform.libc_ver()
    return int(version.split(".")[1]) if name == "glibc" and version.startswith("2.") else None


@pytest.mark.skipif(
    sys.platform != "linux" or host_architecture() != "x86_64" or (_glibc_minor() or 0) < 28,
    reason="the image's wheels are for x86_64 Linux with glibc >= 2.28: they cannot be imported on this machine",
)
def test_the_sync_image_imports_its_handler_with_nothing_but_what_it_installs(tmp_path: Path) -> None:
    """The Dockerfile's pip step replayed with pip's platform options (wheels for cp311, x86_64, Amazon Linux 2023's
    glibc, capped at this machine's), then its COPY of the packages, then an interpreter that sees only that folder and
    the standard library (the image has no other Python packages) resolves CMD the way awslambdaric does."""
    context, dockerfile = image_build("SyncFunction")
    options, files = _pip_step(dockerfile)
    assert {"--require-hashes", "--only-binary=:all:", "--target"} <= set(options), options
    assert files == [LAMBDA / "requirements-sync-image.txt", RUNTIME_INTERFACE_CLIENT]
    task = tmp_path / "task"
    glibc = min(AL2023_GLIBC_MINOR, _glibc_minor() or 0)
    platforms = [f"manylinux_2_{m}_x86_64" for m in range(glibc, 4, -1)]
    platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    install = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"),
            *("--require-hashes", "--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11"),
            *(option for p in platforms for option in ("--platform", p)),
            *("--target", str(task)),
            *(option for f in files for option in ("-r", str(f))),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    for sources, destination in dockerfile_copies(dockerfile):
        if (context / sources[0]).is_dir():
            (source,) = sources
            assert destination.rstrip("/") == source, "packages are copied to /var/task under their own name"
            shutil.copytree(context / source, task / source, ignore=shutil.ignore_patterns("__pycache__"))

    cmd = json.loads(next(a for k, a in dockerfile_instructions(dockerfile) if k == "CMD"))
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _IMAGE_PROBE, str(task), *cmd],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout)
    assert result["callable"]
    elsewhere = {top: origin for top, origin in result["origins"].items() if origin not in ("task", "stdlib")}
    assert not elsewhere, f"imported from outside the image's packages: {elsewhere}"
    # boto3 loads when the handler first makes a client (the CLI's lazy imports), not at import.
    assert {"segmentation", "englake", "ingest", "duckdb", "pyarrow", "pyathena"} <= {
        top for top, origin in result["origins"].items() if origin == "task"
    }
