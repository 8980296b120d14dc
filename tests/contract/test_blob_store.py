"""One contract for every BlobStore adapter."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.errors import BlobNotFound, InvalidBlobKey
from docservice.storage.base import BlobStore
from docservice.storage.encrypted import EncryptedBlobStore
from docservice.storage.local import LocalBlobStore
from tests.services import blob_store_adapters


class _Generated(io.RawIOBase):
    """``size`` pseudo-random bytes produced on demand, never held whole in memory."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.block = hashlib.sha256(b"seed").digest() * 4096

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.remaining, len(self.block))
        buffer[:count] = self.block[:count]
        self.remaining -= count
        return count



@pytest.fixture(params=["local", "memory", "encrypted-local", "encrypted-memory",
                        *blob_store_adapters()])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    from tests.services import make_blob_store

    yield make_blob_store(request.param, tmp_path)


def test_put_returns_sha256_and_size_and_reads_back(store: BlobStore) -> None:
    data = b"price list 2024\n" * 1000
    info = store.put(io.BytesIO(data))
    assert info.key == hashlib.sha256(data).hexdigest() and info.size == len(data)
    assert b"".join(store.open(info.key)) == data
    assert store.exists(info.key) and store.size(info.key) == len(data)


def test_same_bytes_twice_give_the_same_key(store: BlobStore) -> None:
    first = store.put(io.BytesIO(b"same"))
    assert store.put(io.BytesIO(b"same")) == first


def test_ranged_read(store: BlobStore) -> None:
    info = store.put(io.BytesIO(bytes(range(256)) * 10))
    assert b"".join(store.open(info.key, 10, 20)) == bytes(range(10, 20))
    assert b"".join(store.open(info.key, 2550)) == bytes(range(246, 256))


def test_ranges_across_chunk_boundaries(store: BlobStore) -> None:
    """Encrypted files are sealed in 64 KiB chunks: ranges that start, end or span
    between them read the same bytes as from a plain file."""
    data = hashlib.sha256(b"x").digest() * (3 * 64 * 1024 // 32 + 7)  # 3 chunks and a bit
    info = store.put(io.BytesIO(data))
    chunk = 64 * 1024
    for start, end in [(0, chunk), (chunk - 1, chunk + 1), (chunk, 2 * chunk),
                       (5, 3 * chunk + 100), (3 * chunk, None), (len(data) - 1, None),
                       (len(data), None), (0, 0)]:
        assert b"".join(store.open(info.key, start, end)) == data[start:end], (start, end)
    assert store.size(info.key) == len(data)
    assert b"".join(store.open(store.put(io.BytesIO(b"")).key)) == b""


def test_missing_key_is_our_error(store: BlobStore) -> None:
    key = "0" * 64
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        b"".join(store.open(key))
    with pytest.raises(BlobNotFound):
        store.size(key)
    store.delete(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "abc", "A" * 64, ""])
def test_keys_cannot_escape_the_store(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidBlobKey):
        store.exists(key)
    with pytest.raises(InvalidBlobKey):
        b"".join(store.open(key))


def test_local_copy_gives_a_readable_file(store: BlobStore) -> None:
    info = store.put(io.BytesIO(b"%PDF-1.7 test"))
    with store.local_copy(info.key) as path:
        assert path.read_bytes() == b"%PDF-1.7 test"


def test_delete_removes(store: BlobStore) -> None:
    info = store.put(io.BytesIO(b"gone soon"))
    store.delete(info.key)
    assert not store.exists(info.key)


def test_large_upload_streams_without_holding_the_file(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    size = 256 * 1024 * 1024
    tracemalloc.start()
    info = store.put(io.BufferedReader(_Generated(size)))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.size == size
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes while storing {size}"
    assert not any((tmp_path / "blobs" / "tmp").iterdir())


def test_stored_bytes_copy_to_another_store_as_they_are(store: BlobStore, tmp_path: Path) -> None:
    """What backup and restore rely on: every key listed, its stored bytes read and put into
    another store under the same key, readable there as the original."""
    first = store.put(io.BytesIO(b"signed contract"))
    second = store.put(io.BytesIO(b"price list" * 300_000))  # several chunks
    assert sorted(store.stored_keys()) == sorted([first.key, second.key])
    other: BlobStore = LocalBlobStore(tmp_path / "other")
    if isinstance(store, EncryptedBlobStore):  # copied as stored: readable with the same key
        other = EncryptedBlobStore(LocalBlobStore(tmp_path / "other"), store.keyring)
    assert list(other.stored_keys()) == []
    for key in store.stored_keys():
        other.put_stored(key, store.open_stored(key))
    assert b"".join(other.open(first.key)) == b"signed contract"
    copied = b"".join(LocalBlobStore(tmp_path / "other").open(first.key))
    assert (copied == b"signed contract") != isinstance(store, EncryptedBlobStore)
    assert b"".join(other.open(second.key)) == b"price list" * 300_000
    store.delete(second.key)
    store.put_stored(second.key, other.open_stored(second.key))
    assert b"".join(store.open(second.key)) == b"price list" * 300_000
    with pytest.raises(BlobNotFound):
        list(store.open_stored("0" * 64))
