"""Shared pieces of the campaign-hook tests: the documented fixtures and a real local HTTP provider server."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

FIXTURES = Path(__file__).parent / "fixtures" / "hooks"


def filter_event() -> dict[str, Any]:
    return json.loads((FIXTURES / "filter-event.json").read_text())


def custom_channel_event() -> dict[str, Any]:
    return json.loads((FIXTURES / "custom-channel-event.json").read_text())


def event_with(endpoints: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(base or filter_event())
    event["Endpoints"] = endpoints
    return event


def email_endpoint(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "ChannelType": "EMAIL",
        "Address": f"person{i}@example.com",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Attributes": {"AddressType": ["primary"]},
        "User": {"UserId": f"user-{i}", "UserAttributes": {"FirstName": [f"Name{i}"]}},
        **extra,
    }


class ProviderServer:
    """A real HTTP server on 127.0.0.1: ``/ok/<key>`` answers attributes, ``/slow/<key>`` after ``delay`` seconds,
    ``/garbage/<key>`` with text that is not JSON, ``/list/<key>`` with a JSON array, ``/huge/<key>`` with a body
    of ``huge_bytes``, and any path with key ``missing`` 404, ``broken`` 500. Counts requests per path."""

    def __init__(self, delay: float = 2.0, huge_bytes: int = 200_000) -> None:
        self.delay = delay
        self.huge_bytes = huge_bytes
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(self.path)
                _, kind, key = self.path.split("/", 2)
                key = unquote(key)
                if key == "missing":
                    return self._send(404, b'{"message":"not found"}')
                if key == "broken":
                    return self._send(500, b"oops")
                if kind == "slow":
                    time.sleep(server.delay)
                if kind == "garbage":
                    return self._send(200, b"<html>definitely not json")
                if kind == "list":
                    return self._send(200, b'["Offer", "10%"]')
                if kind == "nested":
                    return self._send(200, json.dumps({"Offer": [{"deep": "object"}]}).encode())
                if kind == "huge":
                    return self._send(200, json.dumps({"Offer": ["x" * server.huge_bytes]}).encode())
                body = {"Attributes": {"Offer": [f"offer for {key}"], "Tier": ["gold"]}}
                return self._send(200, json.dumps(body).encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ProviderServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def provider_server(**kwargs: Any) -> Iterator[ProviderServer]:
    with ProviderServer(**kwargs) as server:
        yield server
