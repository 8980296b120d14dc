"""The encrypted file format: a header, then AES-256-GCM chunks.

A stored file is ``header || chunk_0 || ... || chunk_n-1``. The header names the master
key (its id) and holds the file's own random data key wrapped by it. Each chunk is
``CHUNK`` plaintext bytes (the last one fewer, possibly none) sealed with the data key;
its nonce is the chunk's index and a final flag, and the header is its associated data.
So a chunk moved, dropped, or cut off at the end fails authentication, as does a header
changed on disk (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár).
Every file has its own data key, so nonces never repeat under a key. A chunk can be read
on its own: a range request decrypts only the chunks it covers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from docservice.errors import BlobUnreadable

MAGIC = b"DSENC\x01\x00\x00"
KEY_ID_SIZE = 8
WRAPPED_SIZE = 12 + 32 + 16  # nonce, data key, tag
HEADER_SIZE = len(MAGIC) + KEY_ID_SIZE + WRAPPED_SIZE
CHUNK = 64 * 1024
TAG = 16
RECORD = CHUNK + TAG
_WRAP_CONTEXT = b"docservice data key "


def key_id_of(master_key: bytes) -> str:
    """A master key's public name: 8 hex digits of its hash."""
    return hashlib.sha256(b"docservice key id " + master_key).hexdigest()[:KEY_ID_SIZE]


def wrap(master_key: bytes, data_key: bytes) -> bytes:
    """``data_key`` sealed by ``master_key`` (nonce and ciphertext)."""
    nonce = os.urandom(12)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key,
                                              _WRAP_CONTEXT + key_id_of(master_key).encode())


def unwrap(master_key: bytes, wrapped: bytes) -> bytes:
    try:
        return AESGCM(master_key).decrypt(wrapped[:12], wrapped[12:],
                                          _WRAP_CONTEXT + key_id_of(master_key).encode())
    except InvalidTag as exc:
        raise BlobUnreadable("a data key does not open with its master key") from exc


@dataclass(frozen=True)
class Header:
    key_id: str
    wrapped: bytes

    def encode(self) -> bytes:
        return MAGIC + self.key_id.encode() + self.wrapped

    @classmethod
    def decode(cls, raw: bytes) -> Header | None:
        """The header at the start of ``raw``; None for a file stored before encryption."""
        if len(raw) < HEADER_SIZE or not raw.startswith(MAGIC):
            return None
        key_id = raw[len(MAGIC):len(MAGIC) + KEY_ID_SIZE].decode("ascii", "replace")
        return cls(key_id=key_id, wrapped=raw[len(MAGIC) + KEY_ID_SIZE:HEADER_SIZE])


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class Blocks:
    """Pieces of any size regrouped into blocks of ``size`` bytes; ``rest`` holds what is
    left after the last full block once iteration ends. One copy per incoming piece."""

    def __init__(self, pieces: Iterable[bytes], size: int, *, keep_one: bool = False) -> None:
        self._pieces, self._size, self._keep_one = pieces, size, keep_one
        self.rest = b""

    def __iter__(self) -> Iterator[bytes]:
        buffer = bytearray()
        size = self._size
        for piece in self._pieces:
            buffer += piece
            # keep_one: a full block stays back until more comes, so the last is known
            whole = (len(buffer) - (1 if self._keep_one else 0)) // size
            for number in range(whole):
                yield bytes(buffer[number * size:(number + 1) * size])
            del buffer[:whole * size]
        self.rest = bytes(buffer)


def seal_chunks(data_key: bytes, header: bytes, plain: Iterable[bytes]) -> Iterator[bytes]:
    """The sealed chunks of ``plain`` (any piece sizes), cut into ``CHUNK`` bytes each;
    the last (possibly empty) carries the final flag."""
    cipher = AESGCM(data_key)
    blocks = Blocks(plain, CHUNK, keep_one=True)
    index = 0
    for chunk in blocks:
        yield cipher.encrypt(_nonce(index, False), chunk, header)
        index += 1
    yield cipher.encrypt(_nonce(index, True), blocks.rest, header)


def chunk_count(stored_size: int) -> int:
    """How many chunks a stored file of ``stored_size`` bytes holds (at least one)."""
    return max(1, -(-(stored_size - HEADER_SIZE) // RECORD))


def plain_size(stored_size: int) -> int:
    return stored_size - HEADER_SIZE - chunk_count(stored_size) * TAG


def stored_range(first: int, last: int) -> tuple[int, int]:
    """Byte range (start, end exclusive) of chunks ``first`` to ``last`` in the file."""
    return HEADER_SIZE + first * RECORD, HEADER_SIZE + (last + 1) * RECORD


def open_chunks(data_key: bytes, header: bytes, records: Iterable[bytes], first: int,
                count: int) -> Iterator[bytes]:
    """Plaintext of the sealed chunks in ``records`` (any piece sizes), which start at
    chunk ``first`` of a file of ``count`` chunks. Raises BlobUnreadable on any change."""
    cipher = AESGCM(data_key)
    index = first

    def opened(record: bytes) -> bytes:
        try:
            return cipher.decrypt(_nonce(index, index == count - 1), record, header)
        except InvalidTag as exc:
            raise BlobUnreadable("a stored file was changed or cut short") from exc

    blocks = Blocks(records, RECORD)
    for record in blocks:
        yield opened(record)
        index += 1
    if blocks.rest or index == first:  # the last chunk is shorter (or the file empty)
        yield opened(blocks.rest)
