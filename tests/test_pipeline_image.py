"""The dbt image of the daily pipeline (deploy/lambda/dbt.Dockerfile), checked without Docker (Docker does not run
here; `docker build` is the real check): its build context holds exactly what it copies, it installs the project's own
lock file with hashes, its entry point is the englake command, and every command the state machine gives the
container is a real englake command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from tests.test_deploy_packaging import _docker_pattern, dockerfile_instructions, ignored

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "lambda" / "dbt.Dockerfile"
IGNORE = DOCKERFILE.with_name(DOCKERFILE.name + ".dockerignore")
TEMPLATE = ROOT / "deploy" / "pipeline.yaml"
ENGLAKE = Path(sys.executable).parent / "englake"


def copies() -> list[list[str]]:
    """Sources of each COPY from the build context (COPY --from=<stage> reads a stage, not the context)."""
    found = []
    for keyword, arguments in dockerfile_instructions(DOCKERFILE):
        if keyword == "COPY" and not arguments.startswith("--from="):
            *sources, _ = arguments.split()
            found.append([s.rstrip("/") for s in sources])
    return found


def sent_files() -> set[str]:
    """What BuildKit sends for the repository root with the Dockerfile's own ignore file (same rule as Docker's)."""
    rules = []
    for line in IGNORE.read_text().splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            negated = text.startswith("!")
            text = text.removeprefix("!").strip().strip("/")
            rules.append((negated, _docker_pattern(text), text))
    sent = set()
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".git/", ".venv/", "lake/")) or path.is_symlink() or not path.is_file():
            continue
        if any((ROOT / parent).is_symlink() for parent in path.relative_to(ROOT).parents):
            continue  # reached through a symlink (englake/dbt_project): Docker sends the link, not its target
        if not ignored(relative, rules):
            sent.add(relative)
    return sent


def test_the_context_holds_exactly_what_the_dockerfile_copies() -> None:
    sources = [s for group in copies() for s in group]
    assert {"requirements/runtime.lock", "dbt_project", "englake", "pyproject.toml"} <= set(sources)
    sent = sent_files()
    for source in sources:
        path = ROOT / source
        wanted = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
        wanted = [
            p.relative_to(ROOT).as_posix()
            for p in wanted
            if "__pycache__" not in p.parts
            and not {"target", "logs"} & set(p.relative_to(ROOT).parts)
            and p.name != ".user.yml"
        ]
        assert wanted, source
        assert not set(wanted) - sent, f"left out of the context: {sorted(set(wanted) - sent)[:5]}"
    extra = {f for f in sent if not any(f == s or f.startswith(s + "/") for s in sources)}
    assert not extra, sorted(extra)[:10]
    assert not [f for f in sent if "/target/" in f or "__pycache__" in f]


def test_the_image_installs_the_lock_file_with_hashes_then_the_wheel_alone() -> None:
    runs = [a for k, a in dockerfile_instructions(DOCKERFILE) if k == "RUN"]
    (locked,) = [r for r in runs if "-r /tmp/runtime.lock" in r]
    assert "--require-hashes" in locked.split()
    (wheel,) = [r for r in runs if "englake-*.whl" in r]
    assert "--no-deps" in wheel.split()
    froms = [a for k, a in dockerfile_instructions(DOCKERFILE) if k == "FROM"]
    assert all(f.split()[0] == "public.ecr.aws/amazonlinux/amazonlinux:2023" for f in froms)
    assert all("python3.11" in r for r in runs if "dnf install" in r)


@pytest.mark.parametrize("step", ["Build", "Freshness", "Maintain"])
def test_every_command_the_state_machine_gives_the_container_is_an_englake_command(step: str) -> None:
    entrypoint = json.loads(next(a for k, a in dockerfile_instructions(DOCKERFILE) if k == "ENTRYPOINT"))
    assert entrypoint == ["englake"]
    states = cfn_yaml.load(str(TEMPLATE))["Resources"]["PipelineStateMachine"]["Properties"]["Definition"]["States"]
    (override,) = states[step]["Parameters"]["Overrides"]["ContainerOverrides"]
    assert override["Name"] == "dbt"
    done = subprocess.run([ENGLAKE, *override["Command"], "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--target" in override["Command"]


def test_the_default_command_is_the_daily_build_the_task_definition_runs() -> None:
    cmd = json.loads(next(a for k, a in dockerfile_instructions(DOCKERFILE) if k == "CMD"))
    task = cfn_yaml.load(str(TEMPLATE))["Resources"]["DbtTaskDefinition"]["Properties"]
    (container,) = task["ContainerDefinitions"]
    assert cmd == container["Command"] == ["models", "build", "--target", "athena"]
    environment = {e["Name"] for e in container["Environment"]}
    # Every Athena setting is given: the container never falls back to anything.
    assert {
        "ENGLAKE_ATHENA_SCHEMA",
        "ENGLAKE_ATHENA_S3_STAGING_DIR",
        "ENGLAKE_ATHENA_S3_DATA_DIR",
        "ENGLAKE_ATHENA_WORKGROUP",
        "ENGLAKE_AWS_REGION",
        "ENGLAKE_DBT_TARGET",
    } <= environment
