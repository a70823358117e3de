"""Contract tests: the exact requests the Pinpoint destination sends, checked by botocore's Stubber against the API."""

from __future__ import annotations

import boto3
import pyarrow as pa
import pytest
from botocore.stub import Stubber

from englake.pinpoint_quotas import MAX_BATCH_ITEMS
from segmentation.destinations.base import EndpointChange
from segmentation.destinations.pinpoint import PinpointDestination

APP = "app-contract"
ACCEPTED = {"MessageBody": {"Message": "Accepted", "RequestID": "r-1"}}


class _Catalog:
    def known_ids(self) -> pa.Array:
        return pa.array([], pa.string())

    def current_values(self) -> pa.Table:
        return pa.table({"endpoint_id": pa.array([], pa.string()), "segments": pa.array([], pa.list_(pa.string()))})


def _destination(client, attribute: str = "AdvancedSegmentTarget") -> PinpointDestination:
    return PinpointDestination(client, APP, _Catalog(), attribute=attribute, rate=None)  # type: ignore[arg-type]


def test_update_endpoints_batch_request_shape() -> None:
    client = boto3.client("pinpoint", region_name="us-east-1")
    changes = [
        EndpointChange("e1", ("seg_a", "seg_b"), ("seg_a",)),
        EndpointChange("e2", (), ("seg_c",)),  # removed from all: an empty list, never RemoveAttributes
    ]
    with Stubber(client) as stub:
        stub.add_response(
            "update_endpoints_batch",
            ACCEPTED,
            {
                "ApplicationId": APP,
                "EndpointBatchRequest": {
                    "Item": [
                        {"Id": "e1", "Attributes": {"Segments": ["seg_a", "seg_b"]}},
                        {"Id": "e2", "Attributes": {"Segments": []}},
                    ]
                },
            },
        )
        result = _destination(client, attribute="Segments").write(changes)
        stub.assert_no_pending_responses()
    assert [c.endpoint_id for c in result.accepted] == ["e1", "e2"]
    assert result.api_calls == 1


def test_batches_hold_at_most_100_items() -> None:
    client = boto3.client("pinpoint", region_name="us-east-1")
    changes = [EndpointChange(f"e{i:03d}", ("s",)) for i in range(MAX_BATCH_ITEMS * 2 + 1)]
    with Stubber(client) as stub:
        for start in range(0, len(changes), MAX_BATCH_ITEMS):
            items = [
                {"Id": c.endpoint_id, "Attributes": {"AdvancedSegmentTarget": ["s"]}}
                for c in changes[start : start + MAX_BATCH_ITEMS]
            ]
            stub.add_response(
                "update_endpoints_batch", ACCEPTED, {"ApplicationId": APP, "EndpointBatchRequest": {"Item": items}}
            )
        result = _destination(client).write(changes)
        stub.assert_no_pending_responses()
    assert result.api_calls == 3
    assert len(result.accepted) == len(changes)


def test_bad_request_splits_the_batch_to_isolate_the_bad_item() -> None:
    client = boto3.client("pinpoint", region_name="us-east-1")
    changes = [EndpointChange(f"e{i}", ("s",)) for i in range(4)]

    def expect(ids: list[str]) -> dict:
        items = [{"Id": i, "Attributes": {"AdvancedSegmentTarget": ["s"]}} for i in ids]
        return {"ApplicationId": APP, "EndpointBatchRequest": {"Item": items}}

    with Stubber(client) as stub:
        stub.add_client_error(
            "update_endpoints_batch",
            "BadRequestException",
            "bad e2",
            400,
            expected_params=expect(["e0", "e1", "e2", "e3"]),
        )
        stub.add_response("update_endpoints_batch", ACCEPTED, expect(["e0", "e1"]))
        stub.add_client_error(
            "update_endpoints_batch", "BadRequestException", "bad e2", 400, expected_params=expect(["e2", "e3"])
        )
        stub.add_client_error(
            "update_endpoints_batch", "BadRequestException", "bad e2", 400, expected_params=expect(["e2"])
        )
        stub.add_response("update_endpoints_batch", ACCEPTED, expect(["e3"]))
        result = _destination(client).write(changes)
        stub.assert_no_pending_responses()
    assert [c.endpoint_id for c in result.accepted] == ["e0", "e1", "e3"]
    assert [(c.endpoint_id, reason) for c, reason in result.rejected] == [("e2", "BadRequestException: bad e2")]
    assert result.api_calls == 5


@pytest.mark.parametrize("attribute", ["", "a" * 51, "bad:name"])
def test_attribute_names_pinpoint_cannot_take_are_refused(attribute: str) -> None:
    from segmentation.errors import SegmentNameError

    with pytest.raises(SegmentNameError):
        _destination(boto3.client("pinpoint", region_name="us-east-1"), attribute=attribute)


@pytest.mark.parametrize("service", ["pinpoint", "customer-profiles"])
def test_missing_credentials_stop_the_write_with_the_credentials_error(
    service: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """Every later call would fail alike: the write stops with one line and the credentials exit code, no batch is
    counted as failed endpoint by endpoint."""
    from englake.errors import EXIT_CODES, AwsCredentialsError, exit_code
    from segmentation.destinations.customer_profiles import CustomerProfilesDestination

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    client = boto3.session.Session().client(service, region_name="us-east-1")  # not the default session's cache
    if service == "pinpoint":
        destination = _destination(client)
    else:
        destination = CustomerProfilesDestination(client, "englake", rate=None)
    with pytest.raises(AwsCredentialsError, match="no usable AWS credentials") as raised:
        destination.write([EndpointChange("e1", ("s",))])
    assert exit_code(raised.value) == EXIT_CODES[AwsCredentialsError]
