"""Where backups go: a folder or an S3 prefix, both holding named files.

Names are relative paths with ``/`` (``files/ab/cd/<key>``, ``snapshots/<id>/manifest.json``);
the backup use case decides the layout, these adapters only move bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from docservice.errors import N_, BlobNotFound, InvalidInput
from docservice.storage.base import CHUNK_SIZE, write_whole


class BackupTarget(Protocol):
    description: str

    def exists(self, name: str) -> bool:
        """True if the file ``name`` is there."""

    def read(self, name: str) -> Iterator[bytes]:
        """Yield the file's bytes in chunks. Raises BlobNotFound."""

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        """Write the file; a reader sees the whole file or none of it (or the old one)."""

    def names(self, prefix: str) -> Iterator[str]:
        """Every file whose name starts with ``prefix``."""

    def delete(self, name: str) -> None:
        """Remove the file; a missing file is not an error."""


def check_name(name: str) -> str:
    parts = name.split("/")
    if not name or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise InvalidInput(N_("bad file name in a backup: %(name)s"), name=name)
    return name


class FolderTarget:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def read(self, name: str) -> Iterator[bytes]:
        try:
            handle = self._path(name).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(name) from exc
        return _chunks_of(handle)

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        target = self._path(name)
        write_whole(target, chunks, target.parent, ".part-")

    def names(self, prefix: str) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".part-") and name.startswith(prefix):
                yield name

    def delete(self, name: str) -> None:
        path = self._path(name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        for folder in path.parents:  # empty folders go too (a pruned snapshot's)
            if folder == self.root or not folder.is_relative_to(self.root):
                break
            try:
                folder.rmdir()
            except OSError:
                break


def _chunks_of(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk
