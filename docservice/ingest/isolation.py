"""Extraction in a child process with a deadline and an address-space limit.

Uploads are untrusted: a crafted PDF can crash the native reader, loop, or ask for
gigabytes. Files are read in child processes forked from a forkserver that has the
extractor modules already imported. A child is kept warm and reads one file after another
for the thread that uses it: it gets RLIMIT_AS and no core dumps when it starts, is killed
(with the OCR processes it started) at a file's deadline, and is replaced after a timeout, a
crash, running out of memory, a malformed answer, or ``FILES_PER_CHILD`` files. Results come
back through a pipe; the parent unpickles only the types a result is made of, so a child
taken over by a hostile file cannot run code in the parent. A child has no secrets in its
environment, no network, and, under a root server, no root (see ``sandbox``).
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import pickle
import resource
import shutil
import signal
import tempfile
import threading
import time
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any

from docservice.domain import ExtractedText
from docservice.errors import ExtractionFailed
from docservice.ingest import sandbox
from docservice.ingest.base import ProgressCallback
from docservice.ingest.options import DEFAULT_OPTIONS, ExtractOptions
from docservice.ingest.registry import EXTRACTOR_MODULES, Registry, default_registry

log = logging.getLogger(__name__)

CRASHED = "the reader crashed on this file (it may be damaged)"
FILES_PER_CHILD = 200
"""Files a child reads before it is replaced: what leaks in native readers stays bounded."""
IDLE_CHILDREN = 4
"""Warm children kept per process beyond the ones in use; more are stopped when returned."""
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
_REUSABLE = ("ok", "failed")  # answers after which the child is in a known state
_RETRIED = ("crashed", "memory")  # may be the earlier files' doing in a reused child

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
    return IsolatedExtraction(path, media_type, timeout_s=timeout_s, memory_mb=memory_mb,
                              registry=registry, options=options).result(progress)


class IsolatedExtraction:
    """One file being read by a warm child: started at once, its result awaited later, so
    the caller can get the next file ready meanwhile. The time limit counts from the start.

    Raises what :func:`extract_isolated` raises: at once for an empty or unsupported file,
    from :meth:`result` for the rest. A started extraction must end with :meth:`result` or
    :meth:`cancel`.
    """

    def __init__(self, path: Path, media_type: str, *, timeout_s: float, memory_mb: int,
                 registry: Registry | None = None,
                 options: ExtractOptions = DEFAULT_OPTIONS) -> None:
        # Empty and unsupported files are answered here: no child needed to say so.
        (registry or default_registry()).check(path, media_type)
        self._name, self._timeout_s, self._memory_mb = path.name, timeout_s, memory_mb
        self._request = (str(path), media_type, registry, options)
        self._child: _Child | None = _POOL.take(memory_mb)
        self._deadline = self._child.send(self._request, timeout_s)

    def result(self, progress: ProgressCallback | None = None) -> ExtractedText:
        child, self._child = self._child, None
        assert child is not None, "result() of an extraction that ended"
        kind, payload = child.answer(self._deadline, progress)
        if kind in _RETRIED and child.files > 1:
            # A child that read other files first may have been left damaged or bloated by
            # them: the file gets a fresh child before it is blamed.
            log.info("extraction of %s: %s in a reused child, trying a fresh one",
                     self._name, kind)
            child = _POOL.take(self._memory_mb, fresh=True)
            kind, payload = child.answer(child.send(self._request, self._timeout_s), progress)
        if kind in _REUSABLE:
            _POOL.give_back(child)
        if kind == "ok":
            assert isinstance(payload, ExtractedText)
            return payload
        raise ExtractionFailed(_reason(kind, payload, self._timeout_s, self._memory_mb))

    def cancel(self) -> None:
        """Stop reading (the child is replaced)."""
        if self._child is not None:
            self._child.stop()
            self._child = None


def _reason(kind: str, payload: Any, timeout_s: float, memory_mb: int) -> str:
    if kind == "timeout":
        return f"took longer than {timeout_s:g} seconds to read"
    if kind == "memory":
        return f"needs more memory than allowed to read (limit {memory_mb} MB)"
    if kind == "crashed":
        return CRASHED
    return str(payload)


class _Child:
    """A warm extraction process with its limits set, reading one file at a time."""

    def __init__(self, context: ForkServerContext, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.files = 0
        self.identity = sandbox.unprivileged_identity()
        self.home = Path(tempfile.mkdtemp(prefix="docservice-extract-"))
        self.conn, child_end = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_child_main, args=(child_end, memory_mb, self.identity, self.home),
            name="extraction child", daemon=True)
        with child_end:  # the parent's copy closes once started, so a dead child reads as EOF
            self.process.start()

    def send(self, request: tuple[Any, ...], timeout_s: float) -> float:
        """Give the child a file; the deadline of its answer."""
        self.files += 1
        with contextlib.suppress(OSError):  # it died meanwhile: answer() reads the EOF
            self.conn.send(request)
            if self.identity is not None:  # it cannot open files in the data dir itself
                fd = os.open(request[0], os.O_RDONLY)
                try:
                    send_handle(self.conn, fd, self.process.pid)
                finally:
                    os.close(fd)
        return time.monotonic() + timeout_s

    def answer(self, deadline: float, progress: ProgressCallback | None) -> tuple[str, Any]:
        """The child's answer: ok, failed (a reason), memory, crashed or timeout. The
        child is stopped after any answer but ok and failed, and if ``progress`` raises."""
        try:
            kind, payload = _await_answer(self.conn, deadline, progress)
        except (EOFError, OSError):  # it died, or was already dead when the file came
            kind, payload = "crashed", None
        except BaseException:
            self.stop()
            raise
        if kind not in _REUSABLE:
            self.stop()
        return kind, payload

    def stop(self) -> None:
        finished = not self.process.is_alive()
        _kill_group(self.process.pid)  # OCR processes the child started die with it
        if not finished:
            self.process.kill()
        self.process.join()
        if finished and self.process.exitcode:
            log.warning("extraction child exited with %s", self.process.exitcode)
        self.process.close()
        self.conn.close()
        shutil.rmtree(self.home, ignore_errors=True)


class _Pool:
    """Idle warm children of this process; a thread takes one per file and gives it back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Child] = []
        self._pid = os.getpid()

    def take(self, memory_mb: int, *, fresh: bool = False) -> _Child:
        with self._lock:
            if self._pid != os.getpid():  # a forked copy (an RQ work horse): not its children
                self._idle, self._pid = [], os.getpid()
            for child in reversed(self._idle) if not fresh else ():  # the warmest first
                if child.memory_mb == memory_mb:
                    self._idle.remove(child)
                    return child
        return _Child(_forkserver(), memory_mb)

    def give_back(self, child: _Child) -> None:
        """Keep ``child`` warm unless it read its share; the longest idle one makes room."""
        retired = [child]
        with self._lock:
            if child.files < FILES_PER_CHILD and self._pid == os.getpid():
                self._idle.append(child)
                retired = self._idle[:-IDLE_CHILDREN]
                del self._idle[:-IDLE_CHILDREN]
        for each in retired:
            each.stop()


_POOL = _Pool()


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
    """The forkserver context, its preload list set and its server running."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(_PRELOAD))
            _context = context
        _start_server_without_secrets()
        return _context


def _start_server_without_secrets() -> None:
    """Start the forkserver (if it is not running) with the children's environment only.

    multiprocessing starts it with this process's environment and takes no other, so the
    environment is swapped for the moment of the start: a thread starting a program in
    that moment would see the short one too (the server starts once per process).
    """
    if _server_running():
        return
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(sandbox.child_environment(saved))
        forkserver.ensure_running()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _server_running() -> bool:
    # multiprocessing has no public "is it running": ensure_running reads this pid too.
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return False
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:  # not our child: ensure_running will decide
        return False


def _await_answer(
    conn: Connection, deadline: float, progress: ProgressCallback | None
) -> tuple[str, Any]:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not conn.poll(remaining):
            return "timeout", None
        kind, payload = _load(conn.recv_bytes())
        if kind != "progress":
            return kind, payload
        if progress:
            progress(*payload)


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
        return "crashed", None
    if not isinstance(payload, _PAYLOAD_TYPES.get(kind, ())):
        log.error("unexpected %r message from an extraction child", kind)
        return "crashed", None
    return kind, payload


def _child_main(conn: Connection, memory_mb: int, identity: sandbox.Identity | None,
                home: Path) -> None:
    """Runs in the child: limits first, then one answer per file until the parent goes."""
    os.setpgid(0, 0)  # a group of its own, so the parent can kill its OCR processes too
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sandbox.enter(identity, home)
    while True:
        try:
            path, media_type, registry, options = conn.recv()
            if identity is not None:
                path = _copy_handed_file(conn, home, Path(path).name)
        except EOFError:  # the parent stopped or died
            return
        answer = _answer(conn, Path(path), media_type, registry, options)
        conn.send_bytes(answer)
        if answer == _OUT_OF_MEMORY:  # the parent replaces a child that ran out of memory
            return


_OUT_OF_MEMORY = pickle.dumps(("memory", None))


def _copy_handed_file(conn: Connection, home: Path, name: str) -> str:
    """Copy the file the parent sent as a descriptor into the child's own folder: readers
    want a path, and the data dir's are not ours to open. The previous file goes first."""
    for old in home.glob("file-*"):
        with contextlib.suppress(OSError):
            old.unlink()
    target = home / f"file-{name}"
    with os.fdopen(recv_handle(conn), "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return str(target)


def _answer(conn: Connection, path: Path, media_type: str, registry: Registry | None,
            options: ExtractOptions) -> bytes:
    """The pickled answer for one file; an unexpected error in a reader escapes (the
    child dies and the parent reports a crash)."""

    def report(done: int, total: int) -> None:
        conn.send_bytes(pickle.dumps(("progress", (done, total))))

    message: tuple[str, Any]
    try:
        message = ("ok", (registry or default_registry()).extract(path, media_type, report,
                                                                   options))
    except MemoryError:
        return _OUT_OF_MEMORY
    except ExtractionFailed as exc:
        message = ("failed", exc.message)
    try:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return _OUT_OF_MEMORY
