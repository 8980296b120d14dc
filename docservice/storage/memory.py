"""Blobs in a dict: for unit tests that need no disk."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from docservice.domain import BlobInfo, StoredBlob
from docservice.errors import BlobNotFound
from docservice.storage.base import CHUNK_SIZE, HashingReader, Readable, check_key, check_note


class MemoryBlobStore:
    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._written: dict[str, datetime] = {}
        self._notes: dict[str, bytes] = {}

    def put(self, stream: IO[bytes]) -> BlobInfo:
        reader = HashingReader(stream)
        self.put_named(reader, reader.key, replace=True)
        return BlobInfo(key=reader.key(), size=reader.size)

    def put_named(self, stream: Readable, name: Callable[[], str], *,
                  replace: bool = False) -> int:
        parts = []
        while chunk := stream.read(CHUNK_SIZE):
            parts.append(chunk)
        key = check_key(name())
        if replace or key not in self._blobs:
            self._blobs[key] = b"".join(parts)
            self._written[key] = datetime.now(UTC)
        return sum(map(len, parts))

    def read_note(self, name: str) -> bytes | None:
        return self._notes.get(check_note(name))

    def write_note(self, name: str, data: bytes) -> None:
        self._notes[check_note(name)] = data

    def delete_note(self, name: str) -> None:
        self._notes.pop(check_note(name), None)

    def _get(self, key: str) -> bytes:
        try:
            return self._blobs[check_key(key)]
        except KeyError as exc:
            raise BlobNotFound(key) from exc

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        data = self._get(key)[start:end]
        return iter([data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)])

    def size(self, key: str) -> int:
        return len(self._get(key))

    def exists(self, key: str) -> bool:
        return check_key(key) in self._blobs

    def delete(self, key: str) -> None:
        self._blobs.pop(check_key(key), None)

    def keys(self, after: str = "") -> Iterator[StoredBlob]:
        for key in sorted(key for key in self._blobs if key > after):
            yield StoredBlob(key, self._written[key])

    def leftovers(self) -> Iterator[StoredBlob]:
        return iter(())

    def delete_leftover(self, name: str) -> None:
        return None

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        data = self._get(key)
        with tempfile.TemporaryDirectory(prefix="blob-") as tmp:
            path = Path(tmp) / key
            path.write_bytes(data)
            yield path

    def stored_keys(self) -> Iterator[str]:
        return iter(list(self._blobs))

    def open_stored(self, key: str) -> Iterator[bytes]:
        return self.open(key)

    def put_stored(self, key: str, chunks: Iterable[bytes]) -> None:
        self._blobs[check_key(key)] = b"".join(chunks)
        self._written[key] = datetime.now(UTC)

    def check(self) -> None:
        return None
