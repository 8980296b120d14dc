"""Encryption at rest inside the BlobStore port, over any adapter (local files, S3).

Keys stay the sha256 of the plaintext, so content addressing, deduplication and every
caller are unchanged. Each file gets a random data key, wrapped by the current master key
in the file's header (``envelope``). Rotating the master key writes a small ``.wrap`` note
beside a file with its data key wrapped anew; the file itself is never rewritten. Files
stored before encryption was turned on (no header) are read as they are until
``encrypt_in_place`` has turned them.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO

from docservice.domain import BlobInfo, StoredBlob
from docservice.errors import BlobUnreadable
from docservice.storage import envelope
from docservice.storage.base import (
    ChunkReader,
    HashingReader,
    RawBlobStore,
    Readable,
    temporary_copy,
)
from docservice.storage.envelope import HEADER_SIZE, Header
from docservice.storage.keys import Keyring

MARKER = "ENCRYPTED"
_FINGERPRINT = 16


class EncryptedBlobStore:
    def __init__(self, inner: RawBlobStore, keyring: Keyring) -> None:
        self.inner = inner
        self.keyring = keyring

    def mark(self) -> None:
        """Leave the marker that says files here need a master key (see bootstrap)."""
        if self.inner.read_note(MARKER) is None:
            self.inner.write_note(MARKER, b"files here are encrypted by docservice\n")

    def _sealing(self, stream: Readable) -> tuple[HashingReader, ChunkReader]:
        """The plaintext as it is read (its hash and size), and the sealed file to store."""
        data_key = os.urandom(32)
        current = self.keyring.current
        header = Header(current, envelope.wrap(self.keyring.key(current), data_key)).encode()
        plain = HashingReader(stream)
        pieces = iter(lambda: plain.read(envelope.CHUNK), b"")
        return plain, ChunkReader(
            itertools.chain([header], envelope.seal_chunks(data_key, header, pieces)))

    def put(self, stream: IO[bytes]) -> BlobInfo:
        plain, sealed = self._sealing(stream)
        self.inner.put_named(sealed, plain.key)
        return BlobInfo(key=plain.key(), size=plain.size)

    def _header(self, key: str) -> tuple[bytes, Header | None]:
        raw = b"".join(self.inner.open(key, 0, HEADER_SIZE))
        return raw, Header.decode(raw)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        raw, header = self._header(key)
        if header is None:  # stored before encryption was turned on
            return self.inner.open(key, start, end)
        stored = self.inner.size(key)
        size = envelope.plain_size(stored)
        end = size if end is None else min(end, size)
        if start >= end:
            return iter(())
        return self._decrypt(key, raw, header, stored, start, end)

    def _decrypt(self, key: str, raw: bytes, header: Header, stored: int, start: int,
                 end: int) -> Iterator[bytes]:
        data_key = self._data_key(key, raw, header)
        first, last = start // envelope.CHUNK, (end - 1) // envelope.CHUNK
        records = self.inner.open(key, *envelope.stored_range(first, last))
        offset = first * envelope.CHUNK
        for chunk in envelope.open_chunks(data_key, raw, records, first,
                                          envelope.chunk_count(stored)):
            piece = chunk[max(0, start - offset):max(0, end - offset)]
            offset += len(chunk)
            if piece:
                yield piece

    def _data_key(self, key: str, raw: bytes, header: Header) -> bytes:
        """The file's data key: through its header, or its re-wrapped note."""
        if header.key_id in self.keyring.keys:
            return envelope.unwrap(self.keyring.keys[header.key_id], header.wrapped)
        note = self._rewrapped(key, raw)
        if note is None:
            raise BlobUnreadable(f"the master key {header.key_id} is not configured")
        return envelope.unwrap(self.keyring.key(note.key_id), note.wrapped)

    def _rewrapped(self, key: str, raw: bytes) -> Header | None:
        """The note's wrapping if it belongs to this very file (same header)."""
        note = self.inner.read_note(f"{key}.wrap")
        if note is None or note[:_FINGERPRINT] != _fingerprint(raw):
            return None
        return Header.decode(note[_FINGERPRINT:])

    def size(self, key: str) -> int:
        _, header = self._header(key)
        stored = self.inner.size(key)
        return stored if header is None else envelope.plain_size(stored)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def delete(self, key: str) -> None:
        self.inner.delete(key)
        self.inner.delete_note(f"{key}.wrap")

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        return temporary_copy(key, self.open(key))

    def check(self) -> None:
        self.inner.check()

    # Backup and restore copy the files as stored, ciphertext and all (the master key is
    # not in a backup), so these pass straight through to the adapter underneath.

    def stored_keys(self) -> Iterator[str]:
        return self.inner.stored_keys()

    def open_stored(self, key: str) -> Iterator[bytes]:
        return self.inner.open_stored(key)

    def put_stored(self, key: str, chunks: Iterable[bytes]) -> None:
        self.inner.put_stored(key, chunks)

    # The integrity check lists keys and staging files of the adapter as they are.

    def keys(self, after: str = "") -> Iterator[StoredBlob]:
        return self.inner.keys(after)

    def leftovers(self) -> Iterator[StoredBlob]:
        return self.inner.leftovers()

    def delete_leftover(self, name: str) -> None:
        self.inner.delete_leftover(name)

    # Migration and rotation, one file at a time; each step is atomic and safe to repeat.

    def is_encrypted(self, key: str) -> bool:
        return self._header(key)[1] is not None

    def encrypt_in_place(self, key: str) -> bool:
        """Encrypt a file stored before encryption; False if it already was."""
        if self.is_encrypted(key):
            return False
        _, sealed = self._sealing(ChunkReader(self.inner.open(key)))
        self.inner.put_named(sealed, lambda: key, replace=True)
        return True

    def rewrap(self, key: str) -> bool:
        """Wrap the file's data key under the current master key (in a note); False if
        it already is, or the file is not encrypted."""
        raw, header = self._header(key)
        if header is None or header.key_id == self.keyring.current:
            return False
        note = self._rewrapped(key, raw)
        if note is not None and note.key_id == self.keyring.current:
            return False
        data_key = self._data_key(key, raw, header)
        current = self.keyring.current
        wrapped = Header(current, envelope.wrap(self.keyring.key(current), data_key))
        self.inner.write_note(f"{key}.wrap", _fingerprint(raw) + wrapped.encode())
        return True


def _fingerprint(raw_header: bytes) -> bytes:
    return hashlib.sha256(raw_header).digest()[:_FINGERPRINT]
