"""moto as a server on the loopback address, for code that reads Athena results the way production does.

pyathena's ArrowCursor reads the query's CSV result file with pyarrow's own S3 client (C++, not boto3), which an
in-process ``mock_aws`` cannot see. So these tests run moto's server on 127.0.0.1: boto3 (and pyathena's boto3
session) reach it through ``AWS_ENDPOINT_URL``, and pyarrow's S3 file system is pointed at it with its documented
``endpoint_override``; every byte of the result still travels through the real clients.

Use: ``from tests.athena_server import athena_server_fixture  # noqa: F401`` registers the ``athena_server`` fixture.
"""

from __future__ import annotations

import functools
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow.fs
import pytest
from moto.server import ThreadedMotoServer

#: Column metadata as Athena's GetQueryResults returns it for a varchar column.
_VARCHAR = {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Type": "varchar", "Precision": 2147483647}
_VARCHAR |= {"Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}


@dataclass
class AthenaServer:
    url: str

    def queue_result(self, columns: list[str], rows: list[tuple[str, ...]]) -> None:
        """The next query's result (moto writes it to the query's S3 output location as Athena's CSV, header first)."""
        data = [{"Data": [{"VarCharValue": c} for c in columns]}]
        data += [{"Data": [{"VarCharValue": value} for value in row]} for row in rows]
        body = {"results": [{"rows": data, "column_info": [{**_VARCHAR, "Name": c, "Label": c} for c in columns]}]}
        self._post("/moto-api/static/athena/query-results", body)

    def _post(self, path: str, body: object) -> None:
        request = urllib.request.Request(
            self.url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201), response.status


@pytest.fixture(name="athena_server")
def athena_server_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[AthenaServer]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setattr(
        pyarrow.fs, "S3FileSystem", functools.partial(pyarrow.fs.S3FileSystem, endpoint_override=url, scheme="http")
    )
    try:
        yield AthenaServer(url)
    finally:
        AthenaServer(url)._post("/moto-api/reset", {})
        server.stop()
