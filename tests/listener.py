"""A real HTTP server on loopback that records what is posted to it and answers with the
statuses it is told to (in turn), optionally holding each answer until released."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Listener:
    url: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # when set, each answer waits for it
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200

    def wait(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.requests) < count and time.monotonic() < deadline:
                self.arrived.wait(0.2)
            return list(self.requests)


@contextmanager
def http_listener() -> Iterator[Listener]:
    listener = Listener()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with listener.arrived:
                listener.requests.append(Received(self.path, dict(self.headers), body))
                listener.arrived.notify_all()
            if listener.hold is not None:
                listener.hold.wait(30)
            status = listener.answer()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    listener.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        if listener.hold is not None:
            listener.hold.set()
        server.shutdown()
        server.server_close()
