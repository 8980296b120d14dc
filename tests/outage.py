"""Search engine outages for tests, on both tiers: the embedded index's writer held by
another process, or a gate in front of the real OpenSearch that can be shut and opened."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from tests.contract.test_search_index import hold_writer

HOLD_S = 3600.0  # held until the test lets go


@contextlib.contextmanager
def held_writer(index_dir: Path) -> Iterator[None]:
    """Another process holds the embedded index's writer: every index write is refused."""
    holder = hold_writer(index_dir, HOLD_S)
    try:
        yield
    finally:
        holder.kill()
        holder.wait()


class Gate:
    """A TCP forwarder to ``upstream`` (``http://host:port``); shut, it cuts the connections
    it carries and refuses new ones, as an engine that went away would."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open = True
        self._carried: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @contextlib.contextmanager
    def shut(self) -> Iterator[None]:
        with self._lock:
            self._open = False
            carried, self._carried = self._carried, set()
        for sock in carried:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        try:
            yield
        finally:
            self._open = True

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._carried.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

