"""A slow attribute provider for ``benchmarks.hooks``, run in its own process (so it does not share the hook's GIL).

    python -m benchmarks._hooks_server PORT DELAY_SECONDS

``GET /attributes/<key>``: after DELAY_SECONDS, ``{"Attributes": {"Offer": [...]}}``. Keys ending in ``-hang`` answer
after 30 s (they miss any hook budget), keys ending in ``-garbage`` answer text that is not JSON.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real attribute service would offer
    delay = 0.0

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms to every answer.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        key = self.path.rsplit("/", 1)[-1]
        time.sleep(30 if key.endswith("-hang") else self.delay)
        if key.endswith("-garbage"):
            body = b"<html>busy</html>"
        else:
            body = json.dumps({"Attributes": {"Offer": [f"offer {key}"], "Tier": ["gold"]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


def main() -> None:
    port, delay = int(sys.argv[1]), float(sys.argv[2])
    Handler.delay = delay
    server = Server(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
