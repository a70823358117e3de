"""The segmentation deployment template: bounded state machine (no poll loops, reference defect X3), least
privilege on Pinpoint, and Lambda settings that the code actually reads."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from englake.settings import Settings
from segmentation.settings import SegmentSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "segmentation.yaml"


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
    module, _, name = function["Handler"].rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    assert function["Runtime"] == "python3.11"
    fields = {f"ENGLAKE_{f.upper()}" for f in Settings.model_fields}
    fields |= {f"ENGLAKE_SEGMENTS_{f.upper()}" for f in SegmentSettings.model_fields}
    for variable in function["Environment"]["Variables"]:
        assert variable.startswith("POWERTOOLS_") or variable in fields, variable
