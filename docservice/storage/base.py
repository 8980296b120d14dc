"""The BlobStore port: content-addressed file storage."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Protocol

from docservice.domain import BlobInfo, StoredBlob
from docservice.errors import InvalidBlobKey, StorageUnavailable

CHUNK_SIZE = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")
_NOTE = re.compile(r"^([0-9a-f]{64}\.wrap|ENCRYPTED)$")
LEFTOVER = re.compile(r"^upload-[A-Za-z0-9_]+$|^[0-9a-f]{32}$")


def check_leftover(name: str) -> str:
    """Return ``name`` if it can name a staging file; raise InvalidBlobKey otherwise."""
    if not LEFTOVER.match(name):
        raise InvalidBlobKey(name)
    return name


def check_key(key: str) -> str:
    """Return ``key`` if it is a sha256 hex digest; raise InvalidBlobKey otherwise.

    Keys are the only thing that names a stored file, so a key that is not a plain digest
    (``../x``, an absolute path) can never reach the file system or the bucket.
    """
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidBlobKey(str(key))
    return key


def write_whole(target: Path, chunks: Iterable[bytes], temp_dir: Path, prefix: str) -> None:
    """Write ``chunks`` to a temp file in ``temp_dir`` (same file system), sync it and rename
    it to ``target``: readers see the whole file or none of it. An error from ``chunks``
    leaves nothing behind; a disk error is StorageUnavailable."""
    try:
        temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=temp_dir, prefix=prefix)
    except OSError as exc:
        raise StorageUnavailable(f"could not write {target}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    except OSError as exc:
        raise StorageUnavailable(f"could not write {target}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def is_key(name: str) -> bool:
    """True if ``name`` is a sha256 hex digest, the name of a stored file."""
    return bool(_KEY.match(name))


class ChunkReader:
    """A file-like ``read(size)`` over an iterator of chunks, for clients that want one."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer.extend(chunk)
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data
class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); b"" at the end."""


def check_note(name: str) -> str:
    """Return ``name`` if it names a note (a key's ``.wrap``, the ``ENCRYPTED`` marker)."""
    if not isinstance(name, str) or not _NOTE.match(name):
        raise InvalidBlobKey(str(name))
    return name


class HashingReader:
    """Wraps a stream and hashes what passes through, so the key is known after storing."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def key(self) -> str:
        return self.digest.hexdigest()


@contextlib.contextmanager
def temporary_copy(key: str, chunks: Iterable[bytes]) -> Iterator[Path]:
    """``chunks`` written to a file named ``key`` in a private (0700) temporary folder,
    removed with it when the context ends."""
    with tempfile.TemporaryDirectory(prefix="docservice-blob-") as tmp:
        path = Path(tmp) / key
        with path.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        yield path


class BlobStore(Protocol):
    def put(self, stream: IO[bytes]) -> BlobInfo:
        """Store the stream's bytes, read in chunks; return its sha256 key and size.

        Storing bytes that are already there is cheap and returns the same key.
        Raises StorageUnavailable when the backend cannot be reached.
        """

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the bytes of ``key`` in chunks, from ``start`` up to ``end`` (exclusive).

        Raises BlobNotFound if absent, InvalidBlobKey for a malformed key.
        """

    def size(self, key: str) -> int:
        """Size in bytes. Raises BlobNotFound."""

    def exists(self, key: str) -> bool:
        """True if the key is stored."""

    def delete(self, key: str) -> None:
        """Remove the key; removing a missing key is not an error."""

    def keys(self, after: str = "") -> Iterator[StoredBlob]:
        """Every stored key greater than ``after``, in ascending order, streamed (for the
        integrity check, which resumes after the last key it saw)."""

    def leftovers(self) -> Iterator[StoredBlob]:
        """Staging files of uploads that are running or were cut off (by name)."""

    def delete_leftover(self, name: str) -> None:
        """Remove a staging file named by :meth:`leftovers`; a missing one is no error."""

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A path on the local disk holding the bytes while the context is open.

        Extractors need a real file; the local store hands out its own file, remote stores
        a temporary copy removed afterwards. Raises BlobNotFound.
        """

    def check(self) -> None:
        """Raise StorageUnavailable if the store cannot be used right now."""

    # Backup and restore move the bytes as they lie in the store: an encrypting store hands
    # out and takes back its ciphertext here, so copies of it stay encrypted.

    def stored_keys(self) -> Iterator[str]:
        """Every stored key, in no particular order. Raises StorageUnavailable."""

    def open_stored(self, key: str) -> Iterator[bytes]:
        """Yield the bytes of ``key`` exactly as stored, in chunks. Raises BlobNotFound."""

    def put_stored(self, key: str, chunks: Iterable[bytes]) -> None:
        """Store ``chunks`` (what ``open_stored`` yielded, maybe in another store) under
        ``key`` as they are; readers see the whole object or none of it."""

class RawBlobStore(BlobStore, Protocol):
    """What the encryption layer needs of an adapter besides the content-addressed port:
    storing bytes under a key computed from other bytes, and small notes beside them."""

    def put_named(self, stream: Readable, name: Callable[[], str], *,
                  replace: bool = False) -> int:
        """Store the stream, read in chunks, under the key ``name()`` returns once the
        stream is read; return the bytes stored. An existing key is kept unless
        ``replace`` (then it is swapped atomically). Raises StorageUnavailable."""

    def read_note(self, name: str) -> bytes | None:
        """A note's bytes (see :func:`check_note`), None if there is none."""

    def write_note(self, name: str, data: bytes) -> None:
        """Write a note atomically."""

    def delete_note(self, name: str) -> None:
        """Remove a note; a missing one is not an error."""
