"""The segmentation deployment template: bounded state machine (no poll loops, reference defect X3), least
privilege on Pinpoint, Lambda settings that the code actually reads, and the sync packaged as a container image
(Amazon Linux 2023, Python 3.11, the lock's pins) whose command is the handler."""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from englake.settings import Settings
from segmentation.settings import SegmentSettings
from tests.test_deploy_packaging import (
    RUNTIME_INTERFACE_CLIENT,
    dockerfile_copies,
    dockerfile_instructions,
    lock,
    pinned,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "segmentation.yaml"
DOCKERFILE = ROOT / "deploy" / "lambda" / "Dockerfile"
HANDLER = "segmentation.handler.lambda_handler"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, problems = decode(str(TEMPLATE))
    assert not problems
    return decoded


def _states(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["SyncStateMachine"]["Properties"]["Definition"]["States"]


def test_state_machine_has_no_unbounded_loop(template: dict[str, Any]) -> None:
    states = _states(template)
    assert not [name for name, s in states.items() if s["Type"] == "Wait"]  # no Wait → status → Choice polling
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default")] + [c["Next"] for c in state.get("Choices", [])]
        targets += [c["Next"] for c in state.get("Catch", [])]
        assert all(t in states for t in targets if t), name
    for name in ("QueryMembership", "Sync"):
        task = states[name]
        assert task["TimeoutSeconds"], name
        assert task["Catch"][0]["ErrorEquals"] == ["States.ALL"]
        assert task["Catch"][0]["Next"] == "NotifyFailure"
    assert states["QueryMembership"]["Resource"].endswith("athena:startQueryExecution.sync")
    # The one cycle (Sync → Finished? → NextRound → Sync) continues only while round < MaxSyncRounds - 1.
    first = states["Finished?"]["Choices"][0]
    assert first["Next"] == "NextRound"
    assert {"Variable": "$.loop.round", "NumericLessThan": "${MaxRoundsMinusOne}"} in first["And"]


def test_sync_role_touches_only_the_endpoint_calls_it_needs(template: dict[str, Any]) -> None:
    function = template["Resources"]["SyncFunction"]["Properties"]
    statements = function["Policies"][0]["Statement"]
    pinpoint = [a for s in statements for a in s["Action"] if a.startswith("mobiletargeting:")]
    assert sorted(pinpoint) == sorted(
        [
            "mobiletargeting:UpdateEndpointsBatch",
            "mobiletargeting:GetEndpoint",
            "mobiletargeting:CreateExportJob",
            "mobiletargeting:GetExportJob",
        ]
    )
    assert not any("RemoveAttributes" in str(s) or "mobiletargeting:*" in str(s) for s in statements)
    assert function["ReservedConcurrentExecutions"] == 1


def test_lambda_environment_is_read_by_the_code(template: dict[str, Any]) -> None:
    function = template["Resources"]["SyncFunction"]["Properties"]
    fields = {f"ENGLAKE_{f.upper()}" for f in Settings.model_fields}
    fields |= {f"ENGLAKE_SEGMENTS_{f.upper()}" for f in SegmentSettings.model_fields}
    for variable in function["Environment"]["Variables"]:
        assert variable.startswith("POWERTOOLS_") or variable in fields, variable


# ---------------------------------------------------------------- the container image


def _only(keyword: str) -> str:
    (arguments,) = [a for k, a in dockerfile_instructions(DOCKERFILE) if k == keyword]
    return arguments


def test_the_sync_is_an_image_built_from_the_lambda_dockerfile(template: dict[str, Any]) -> None:
    resource = template["Resources"]["SyncFunction"]
    function = resource["Properties"]
    assert function["PackageType"] == "Image"
    # Zip settings have no place on an image function; the image carries its own dependencies.
    assert not {"Runtime", "Handler", "CodeUri", "Layers", "InlineCode", "ImageUri"} & set(function)
    assert function["Architectures"] == ["x86_64"]
    assert (function["MemorySize"], function["Timeout"]) == (3008, 900)
    metadata = resource["Metadata"]
    assert set(metadata) == {"DockerContext", "Dockerfile", "DockerTag"}
    # SAM resolves DockerContext against the template's folder and Dockerfile against the context.
    context = (TEMPLATE.parent / metadata["DockerContext"]).resolve()
    assert context == ROOT
    assert (context / metadata["Dockerfile"]).resolve() == DOCKERFILE
    assert "DependenciesLayerArn" not in template["Parameters"]
    assert "HasDependenciesLayer" not in template["Conditions"]


def test_the_image_is_amazon_linux_2023_with_its_python_3_11() -> None:
    assert _only("FROM") == "public.ecr.aws/lambda/provided:al2023"
    runs = [a for k, a in dockerfile_instructions(DOCKERFILE) if k == "RUN"]
    assert any(re.search(r"\bdnf install -y (\S+ )*python3\.11( |$)", run) for run in runs), runs
    assert all(re.search(r"\bpython3\.11 -m pip\b", run) for run in runs if " pip " in run), runs
    entrypoint = json.loads(_only("ENTRYPOINT"))
    assert entrypoint == ["/usr/bin/python3.11", "-m", "awslambdaric"]


def test_the_image_command_is_the_handler_and_it_imports() -> None:
    assert json.loads(_only("CMD")) == [HANDLER]
    module, _, name = HANDLER.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    copied = {source for sources, _ in dockerfile_copies(DOCKERFILE) for source in sources}
    assert {"englake", "ingest", "segmentation"} <= copied
    assert not {"handlers", "tests", "dbt_project", "benchmarks", "."} & copied
    assert _only("WORKDIR") == "/var/task"


def test_the_image_installs_exactly_the_lock_pins() -> None:
    install = next(a for k, a in dockerfile_instructions(DOCKERFILE) if k == "RUN" and " pip install " in a)
    assert "--require-hashes" in install.split()
    assert "--only-binary=:all:" in install.split()
    files = [Path(f).name for f in re.findall(r"-r (\S+)", install)]
    assert files == ["requirements-sync-image.txt", RUNTIME_INTERFACE_CLIENT.name]
    entries = pinned(DOCKERFILE.parent / "requirements-sync-image.txt")
    for name, (version, hashes) in entries.items():
        assert (version, hashes) == lock()[name], f"{name}=={version} or its hashes differ from the lock"
    # What the sync imports, at the versions pyproject.toml pins (through the lock).
    assert {"duckdb", "pyarrow", "pyathena", "boto3", "aws-lambda-powertools"} <= set(entries)
    # The Athena result is read into Arrow by pyathena: no pandas, numpy or awswrangler in the image.
    assert not {"pandas", "numpy", "awswrangler"} & set(entries)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    direct = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", d.split(";")[0].strip()).groups() for d in project)
    for name in {"duckdb", "pyarrow", "pyathena", "boto3", "pydantic", "pydantic-settings", "aws-lambda-powertools"}:
        assert entries[name][0] == direct[name], name
    client = pinned(RUNTIME_INTERFACE_CLIENT)
    assert "awslambdaric" in client
    assert not set(client) & set(lock())
