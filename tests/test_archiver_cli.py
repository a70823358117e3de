"""``englake ops archive …`` and ``englake ops suppression …`` as a user runs them."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from handlers.archiver.events import address_endpoint_id
from handlers.archiver.store import ArchiveStore
from handlers.bounces.policy import PolicyConfig
from handlers.bounces.process import process_message
from handlers.bounces.store import SqliteAddressStore
from handlers.cli import app

runner = CliRunner()


@pytest.fixture
def bucket():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="arch")
        s3.put_bucket_versioning(Bucket="arch", VersioningConfiguration={"Status": "Enabled"})
        store = ArchiveStore(s3, "arch")
        store.put("archive/e-1/2024/01/01/10/m1.eml", b"a")
        store.put("archive/e-1/2024/01/01/10/m1.eml", b"b")
        store.put("archive/e-1/2024/01/02/11/m2.eml", b"c")
        store.put(f"archive/{address_endpoint_id('Jane@Example.com')}/2024/01/01/10/s1.eml", b"d")
        yield s3


def test_list_then_erase_with_counts(bucket):
    listed = runner.invoke(app, ["archive", "list", "--endpoint", "e-1", "--bucket", "arch"])
    assert listed.exit_code == 0, listed.output
    assert "m1.eml" in listed.output
    assert "m2.eml" in listed.output
    assert "2 message(s)" in listed.output
    erased = runner.invoke(app, ["archive", "erase", "--endpoint", "e-1", "--bucket", "arch", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "object versions deleted" in erased.output
    assert [line.split("│")[2].strip() for line in erased.output.splitlines() if "deleted" in line and "│" in line] == [
        "3",
        "3",
    ]
    assert "Versions" not in bucket.list_object_versions(Bucket="arch", Prefix="archive/e-1/")
    assert "0 message(s)" in runner.invoke(app, ["archive", "list", "--endpoint", "e-1", "--bucket", "arch"]).output


def test_erase_asks_first_and_by_address(bucket):
    refused = runner.invoke(app, ["archive", "erase", "--address", "jane@example.com", "--bucket", "arch"], input="n\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, ["archive", "erase", "--address", "jane@example.com", "--bucket", "arch"], input="y\n")
    assert done.exit_code == 0
    assert "Contents" not in bucket.list_objects_v2(Bucket="arch", Prefix="archive/ses-")


def test_suppression_show_and_list(tmp_path):
    db = tmp_path / "addresses.sqlite"
    store = SqliteAddressStore(db)
    notification = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "gone@example.com", "diagnosticCode": "smtp; 550 5.1.1"}],
            "timestamp": "2024-01-01T00:00:00Z",
            "feedbackId": "fb-cli",
        },
        "mail": {"messageId": "m"},
    }
    process_message(notification, store, None, PolicyConfig(mirror_to_ses=False))
    shown = runner.invoke(app, ["suppression", "show", "Gone@Example.com", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "suppressed" in shown.output
    assert "fb-cli" in shown.output
    assert "smtp; 550 5.1.1" in shown.output
    listed = runner.invoke(app, ["suppression", "list", "--db", str(db)])
    assert "gone@" in listed.output
    assert "1 address(es)" in listed.output
    unknown = runner.invoke(app, ["suppression", "show", "new@example.com", "--db", str(db)])
    assert "no bounce or complaint on record" in unknown.output


def test_a_missing_bucket_is_one_clear_error(bucket):
    result = runner.invoke(app, ["archive", "list", "--endpoint", "e-1", "--bucket", "no-such-bucket"])
    assert result.exit_code == 1
    assert "s3://no-such-bucket/archive/" in str(result.exception)
    assert "NoSuchBucket" in str(result.exception)
