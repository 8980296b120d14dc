"""Content-addressed files under the data dir: ``blobs/ab/cd/abcd...``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

from docservice.domain import BlobInfo, StoredBlob
from docservice.errors import BlobNotFound, StorageUnavailable
from docservice.storage.base import (
    CHUNK_SIZE,
    HashingReader,
    Readable,
    check_key,
    check_leftover,
    check_note,
    is_key,
    write_whole,
)

HEX = frozenset("0123456789abcdef")


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, stream: IO[bytes]) -> BlobInfo:
        reader = HashingReader(stream)
        self.put_named(reader, reader.key, replace=True)
        return BlobInfo(key=reader.key(), size=reader.size)

    def put_named(self, stream: Readable, name: Callable[[], str], *,
                  replace: bool = False) -> int:
        size = 0
        try:
            with self._temp_file() as (out, tmp_name):
                while chunk := stream.read(CHUNK_SIZE):
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
                target = self._path(name())
                if replace or not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    # rename is atomic: readers see the whole file or none of it
                    os.replace(tmp_name, target)
        except OSError as exc:
            raise StorageUnavailable(f"could not store the file: {exc.strerror}") from exc
        return size

    @contextlib.contextmanager
    def _temp_file(self) -> Iterator[tuple[BinaryIO, str]]:
        """A file in ``tmp`` to write to; removed afterwards unless renamed away."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                yield out, tmp_name
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)

    def _note_path(self, name: str) -> Path:
        check_note(name)
        return self.root / name[:2] / name[2:4] / name if "." in name else self.root / name

    def read_note(self, name: str) -> bytes | None:
        try:
            return self._note_path(name).read_bytes()
        except FileNotFoundError:
            return None

    def write_note(self, name: str, data: bytes) -> None:
        write_whole(self._note_path(name), [data], self.root / "tmp", "upload-")

    def delete_note(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._note_path(name).unlink()

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        return _read_range(handle, start, end)

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def keys(self, after: str = "") -> Iterator[StoredBlob]:
        # blobs/ab/cd/abcd...: walking the two levels in order yields the keys in order
        for first in _sorted_dirs(self.root, after[:2]):
            for second in _sorted_dirs(first, after[:4], prefix=first.name):
                for name in sorted(os.listdir(second)):
                    if is_key(name) and name > after:
                        with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                            yield StoredBlob(name, _modified(second / name))

    def leftovers(self) -> Iterator[StoredBlob]:
        tmp_dir = self.root / "tmp"
        names = sorted(os.listdir(tmp_dir)) if tmp_dir.is_dir() else []
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                yield StoredBlob(name, _modified(tmp_dir / name))

    def delete_leftover(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.root / "tmp" / check_leftover(name)).unlink()

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        yield path

    def stored_keys(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if is_key(path.name) and path.parent.parent.name == path.name[:2]:
                yield path.name

    def open_stored(self, key: str) -> Iterator[bytes]:
        return self.open(key)

    def put_stored(self, key: str, chunks: Iterable[bytes]) -> None:
        write_whole(self._path(key), chunks, self.root / "tmp", "restore-")

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".probe"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise StorageUnavailable(f"blob directory {self.root} is not writable") from exc


def _sorted_dirs(parent: Path, at_least: str, prefix: str = "") -> list[Path]:
    """The two-hex-digit subfolders of ``parent`` whose key prefix is not below
    ``at_least``."""
    if not parent.is_dir():
        return []
    return [parent / name for name in sorted(os.listdir(parent))
            if len(name) == 2 and all(c in HEX for c in name)
            and (prefix + name) >= at_least[:len(prefix) + 2]]


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _read_range(handle: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = None if end is None else max(0, end - start)
        while remaining is None or remaining > 0:
            size = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
            chunk = handle.read(size)
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
