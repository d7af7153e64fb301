"""A 12345 platform on 127.0.0.1 for the tests: answers as it is told, deduplicates by message id."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from connector.signing import signature_matches


def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PlatformServer:
    """`script` is a list of behaviours for the next requests ("500", "timeout", "hold"); after it
    runs out every request is accepted. "timeout" and "hold" apply the message first (the platform
    took it, but the answer never reaches us), so a resend must be recognised by its id."""

    def __init__(self, secret: str = "", script: list[str] | None = None, delay: float = 2.0):
        self.secret = secret
        self.script = list(script or [])
        self.delay = delay
        self.received: list[dict] = []  # every request, duplicates included
        self.applied: list[dict] = []  # each message id once, in the order first taken
        self.bad_signatures = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.handle(self, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/feedback"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _apply(self, message_id: str, data: dict) -> bool:
        with self.lock:
            if any(m["_id"] == message_id for m in self.applied):
                return False
            self.applied.append({"_id": message_id, **data})
            return True

    def handle(self, handler, body: bytes) -> None:
        if self.secret and not signature_matches(self.secret, body, handler.headers.get("X-Hotline-Signature", "")):
            self.bad_signatures += 1
            return self._answer(handler, 401, {"code": "bad signature"})
        data = json.loads(body)
        message_id = handler.headers["X-Hotline-Message-Id"]
        with self.lock:
            self.received.append({"_id": message_id, **data})
            behaviour = self.script.pop(0) if self.script else "accept"
        if behaviour == "500":
            return self._answer(handler, 500, {"code": "busy"})
        if behaviour == "timeout":
            self._apply(message_id, data)
            time.sleep(self.delay)
            return self._answer(handler, 200, {"code": "late"})
        if behaviour == "hold":
            self._apply(message_id, data)
            self.holding.set()
            self.release.wait(60)
            return
        fresh = self._apply(message_id, data)
        self._answer(handler, 200, {"code": "ok" if fresh else "duplicate"})

    def _answer(self, handler, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(raw)))
            handler.end_headers()
            handler.wfile.write(raw)
        except OSError:
            pass  # the client gave up (timed out) or was killed
