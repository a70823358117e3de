"""The fakes of Customer Profiles, Connect outbound campaigns v2 and Pinpoint campaigns checked against botocore's
service models: every operation they answer exists, takes only the model's parameters, and every answer they gave
during a full run of both back ends validates against the operation's output shape."""

from __future__ import annotations

import inspect
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from tests.audience_support import world
from tests.fakes.base import RestJsonFake
from tests.fakes.connect_campaigns import ConnectCampaignsFake
from tests.fakes.customer_profiles import CustomerProfilesFake
from tests.fakes.pinpoint_campaigns import PinpointCampaignsFake

FAKES = [CustomerProfilesFake, ConnectCampaignsFake, PinpointCampaignsFake]


def _operations(fake: type[RestJsonFake]) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(fake, inspect.isfunction)
        if name[:1].isupper() and not name.startswith("_")
    }


@pytest.mark.parametrize("fake", FAKES, ids=lambda f: f.__name__)
def test_every_operation_and_parameter_is_in_the_service_model(fake: type[RestJsonFake]) -> None:
    model = botocore.session.get_session().get_service_model(fake.service_name)
    for name, method in _operations(fake).items():
        assert name in model.operation_names, f"{fake.__name__}.{name} is not a {fake.service_name} operation"
        members = set(model.operation_model(name).input_shape.members)
        for parameter in inspect.signature(method).parameters.values():
            if parameter.name == "self" or parameter.kind is inspect.Parameter.VAR_KEYWORD:
                continue
            assert parameter.name in members, f"{fake.__name__}.{name}({parameter.name}) is not in the model"


def test_every_answer_of_a_full_run_matches_the_output_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: list[tuple[str, str, dict]] = []
    for fake in FAKES:
        for name, method in _operations(fake).items():

            def recording(self, *args, __method=method, __name=name, **kwargs):
                output = __method(self, *args, **kwargs) or {}
                answers.append((self.service_name, __name, output))
                return output

            monkeypatch.setattr(fake, name, recording)
    # Both back ends end to end: imports, segments, campaigns created twice, followed to the end.
    from handlers.audiences import process
    from handlers.campaigns import process as campaigns
    from tests.audience_support import CONNECT_TEMPLATE, PREFIX
    from tests.test_audience_workflow import FILE
    from tests.test_campaigns import _pinpoint_segment, _profiles_segment, _request

    with world(connect_states=["Running", "Completed"]) as w:
        for backend in ("pinpoint", "customer-profiles"):
            start = w.start(w.drop(PREFIX + f"{backend}.csv", FILE), backend, campaign="pinpoint")
            process.run_import(start, w.context(backend))
        for kind, segment, template in (
            ("pinpoint", _pinpoint_segment(w), "welcome-sms"),
            ("connect", _profiles_segment(w), CONNECT_TEMPLATE),
        ):
            backend = w.campaign_backend(kind)
            ref = backend.create(_request(segment, template))
            backend.create(_request(segment, template))
            campaigns.follow(ref, backend, max_polls=6, wait=lambda: None)
    validator = ParamValidator()
    session = botocore.session.get_session()
    seen = set()
    for service, operation, output in answers:
        shape = session.get_service_model(service).operation_model(operation).output_shape
        if shape is None:
            assert output == {}, (service, operation)
            continue
        report = validator.validate(output, shape)
        assert not report.has_errors(), f"{service} {operation}: {report.generate_report()}"
        seen.add((service, operation))
    assert {op for _, op in seen} >= {
        "CreateUploadJob",
        "GetUploadJobPath",
        "GetUploadJob",
        "CreateSegmentDefinition",
        "CreateCampaign",
        "GetCampaignActivities",
        "GetCampaignState",
        "ListCampaigns",
        "GetSegment",
    }
