"""The BlobStore port: content-addressed file storage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Protocol

from docservice.domain import BlobInfo
from docservice.errors import InvalidBlobKey

CHUNK_SIZE = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


def check_key(key: str) -> str:
    """Return ``key`` if it is a sha256 hex digest; raise InvalidBlobKey otherwise.

    Keys are the only thing that names a stored file, so a key that is not a plain digest
    (``../x``, an absolute path) can never reach the file system or the bucket.
    """
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidBlobKey(str(key))
    return key


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

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A path on the local disk holding the bytes while the context is open.

        Extractors need a real file; the local store hands out its own file, remote stores
        a temporary copy removed afterwards. Raises BlobNotFound.
        """

    def check(self) -> None:
        """Raise StorageUnavailable if the store cannot be used right now."""
