"""Extraction in a child process with a deadline and an address-space limit.

Uploads are untrusted: a crafted PDF can crash the native reader, loop, or ask for
gigabytes. Each file is read in a fresh child forked from a forkserver that has the
extractor modules already imported, so a call costs a fork (milliseconds), not an
interpreter start. The child gets RLIMIT_AS and no core dumps, is killed at the deadline,
and sends its result back through a pipe. The parent unpickles only the types a result
is made of, so a child taken over by a hostile file cannot run code in the parent.
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest.base import ProgressCallback
from docservice.ingest.options import DEFAULT_OPTIONS, ExtractOptions
from docservice.ingest.registry import EXTRACTOR_MODULES, Registry, default_registry

log = logging.getLogger(__name__)

CRASHED = "the reader crashed on this file (it may be damaged)"
# "__main__" first: the forkserver imports the main script once, and children then skip
# re-running it (multiprocessing would otherwise import it again in every child).
_PRELOAD = ("__main__", "docservice.ingest.registry", *EXTRACTOR_MODULES)
_RESULT_TYPES = frozenset(
    {
        ("docservice.domain", "ExtractedText"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }
)

_PAYLOAD_TYPES: dict[object, type | tuple[type, ...]] = {
    "progress": tuple,
    "ok": ExtractedText,
    "memory": type(None),
    "failed": str,
}

_context_lock = threading.Lock()
_context: ForkServerContext | None = None


def extract_isolated(
    path: Path,
    media_type: str,
    *,
    timeout_s: float,
    memory_mb: int,
    progress: ProgressCallback | None = None,
    registry: Registry | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ExtractedText:
    """What ``registry.extract`` returns, computed in a child process under limits.

    Raises ExtractionFailed with a plain reason when the file cannot be read, the child
    runs past ``timeout_s`` seconds, needs more than ``memory_mb`` MB of address space,
    or dies. ``progress`` receives the child's progress reports. ``registry`` defaults to
    the default registry; another one must be picklable (module-level extract functions).
    ``options`` (OCR, page and archive limits) go to the extractors as they are.
    The memory limit applies to the child and to each OCR process it starts.
    Safe to call from several threads at once.
    """
    # Empty and unsupported files are answered here: no child needed to say so.
    (registry or default_registry()).check(path, media_type)
    context = _forkserver()
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(writer, str(path), media_type, memory_mb, registry, options),
        name=f"extract {path.name}",
        daemon=True,
    )
    with reader:
        with writer:  # the parent's copy closes once started, so a dead child reads as EOF
            child.start()
        try:
            return _await_result(reader, timeout_s, memory_mb, progress)
        finally:
            finished = not child.is_alive()
            _kill_group(child.pid)  # OCR processes the child started die with it
            if not finished:
                child.kill()
            child.join()
            if finished and child.exitcode:
                log.warning("extraction of %s: child exited with %s", path.name, child.exitcode)
            child.close()


def _kill_group(pid: int | None) -> None:
    """Kill the process group the child leads, if it still has members."""
    if pid is None:
        return
    # ESRCH: the child had not made its group yet, or the whole group is gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def start_isolation() -> None:
    """Start the forkserver now, e.g. when a worker starts, instead of on the first file.

    Call it in a process that forks workers (RQ) before forking, so they share one server.
    """
    _forkserver()
    forkserver.ensure_running()


def _forkserver() -> ForkServerContext:
    """The forkserver context, its preload list set before the server first starts."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(_PRELOAD))
            _context = context
        return _context


def _await_result(
    reader: Connection, timeout_s: float, memory_mb: int, progress: ProgressCallback | None
) -> ExtractedText:
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not reader.poll(remaining):
            raise ExtractionFailed(f"took longer than {timeout_s:g} seconds to read")
        try:
            kind, payload = _load(reader.recv_bytes())
        except (EOFError, OSError):
            raise ExtractionFailed(CRASHED) from None
        if kind == "progress":
            if progress:
                progress(*payload)
        elif kind == "ok":
            return payload
        elif kind == "memory":
            raise ExtractionFailed(f"needs more memory than allowed to read (limit {memory_mb} MB)")
        else:
            raise ExtractionFailed(str(payload))


class _ResultUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _RESULT_TYPES:
            raise pickle.UnpicklingError(f"unexpected {module}.{name} from an extraction child")
        return super().find_class(module, name)


def _load(data: bytes) -> tuple[str, Any]:
    """A message from the child, checked: anything unexpected reads as a crash."""
    try:
        kind, payload = _ResultUnpickler(io.BytesIO(data)).load()
    except Exception as exc:
        # Only a child taken over by a hostile file sends something else, and unpickling
        # garbage can raise nearly anything; none of it may escape as a parent error.
        log.error("malformed message from an extraction child: %r", exc)
        return "failed", CRASHED
    if not isinstance(payload, _PAYLOAD_TYPES.get(kind, ())):
        log.error("unexpected %r message from an extraction child", kind)
        return "failed", CRASHED
    return kind, payload


def _child_main(
    conn: Connection,
    path: str,
    media_type: str,
    memory_mb: int,
    registry: Registry | None,
    options: ExtractOptions,
) -> None:
    """Runs in the child: limits first, then the extraction, then one answer."""
    os.setpgid(0, 0)  # a group of its own, so the parent can kill its OCR processes too
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def report(done: int, total: int) -> None:
        conn.send_bytes(pickle.dumps(("progress", (done, total))))

    message: tuple[str, Any]
    try:
        result = (registry or default_registry()).extract(
            Path(path), media_type, report, options
        )
        message = ("ok", result)
    except MemoryError:
        message = ("memory", None)
    except ExtractionFailed as exc:
        message = ("failed", exc.message)
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    conn.send_bytes(data)
    conn.close()
