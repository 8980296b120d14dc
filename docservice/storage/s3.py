"""Blobs in an S3 bucket (MinIO in production) through the ``minio`` client."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO, TypeVar, cast

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import Object
from minio.error import MinioException, S3Error
from minio.sse import SseS3
from urllib3.exceptions import HTTPError as Urllib3Error

from docservice.domain import BlobInfo, StoredBlob
from docservice.errors import BlobNotFound, StorageUnavailable
from docservice.storage.backup_target import check_name
from docservice.storage.base import (
    CHUNK_SIZE,
    ChunkReader,
    HashingReader,
    Readable,
    check_key,
    check_leftover,
    check_note,
    is_key,
    temporary_copy,
)

T = TypeVar("T")
PART_SIZE = 16 * 1024 * 1024
STAGING = "tmp/"  # an upload's bytes until their key is known
_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound"}


def minio_client(endpoint: str, access_key: str, secret_key: str, secure: bool = False,
                 region: str | None = None, timeout_s: float = 30) -> Minio:
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=timeout_s),
        retries=urllib3.Retry(total=2, backoff_factor=0.2,
                              status_forcelist=[500, 502, 503, 504]))
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                 region=region or None, http_client=http)


def s3_call(action: Callable[[], T], key: str | None = None) -> T:
    """Run a client call, turning S3 and network errors into ours (BlobNotFound for a
    missing ``key``)."""
    try:
        return action()
    except S3Error as exc:
        if key is not None and exc.code in _MISSING:
            raise BlobNotFound(key) from exc
        raise StorageUnavailable(f"object storage refused the request: {exc.code}") from exc
    except (MinioException, Urllib3Error, OSError) as exc:
        raise StorageUnavailable(f"object storage unreachable: {exc}") from exc


def stream_body(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The chunks of a GET response; the connection goes back to the pool afterwards."""
    try:
        yield from response.stream(CHUNK_SIZE)
    except Urllib3Error as exc:
        raise StorageUnavailable(f"object storage connection lost: {exc}") from exc
    finally:
        response.close()
        response.release_conn()


class S3BlobStore:
    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str,
                 secure: bool = False, region: str | None = None,
                 timeout_s: float = 30, server_side_encryption: bool = False) -> None:
        self._client = minio_client(endpoint, access_key, secret_key, secure, region, timeout_s)
        self._bucket = bucket
        self._bucket_ready = False
        # SSE-S3: the server encrypts too (on top of docservice's own, when configured)
        self._sse = SseS3() if server_side_encryption else None

    def _call(self, action: Callable[[], T], key: str | None = None) -> T:
        return s3_call(action, key)

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not self._call(lambda: self._client.bucket_exists(self._bucket)):
            with contextlib.suppress(StorageUnavailable):
                self._call(lambda: self._client.make_bucket(self._bucket))
            if not self._call(lambda: self._client.bucket_exists(self._bucket)):
                raise StorageUnavailable(f"bucket {self._bucket} could not be created")
        self._bucket_ready = True

    def put(self, stream: IO[bytes]) -> BlobInfo:
        reader = HashingReader(stream)
        self.put_named(reader, reader.key)
        return BlobInfo(key=reader.key(), size=reader.size)

    def put_named(self, stream: Readable, name: Callable[[], str], *,
                  replace: bool = False) -> int:
        self._ensure_bucket()
        counter = HashingReader(stream)
        staging = f"{STAGING}{uuid.uuid4().hex}"
        body = cast(BinaryIO, counter)
        self._call(lambda: self._client.put_object(self._bucket, staging, body, length=-1,
                                                   part_size=PART_SIZE, sse=self._sse))
        key = check_key(name())
        try:
            if replace or not self.exists(key):  # a copy within the bucket is atomic
                self._call(lambda: self._client.copy_object(
                    self._bucket, key, CopySource(self._bucket, staging), sse=self._sse))
        finally:
            self._call(lambda: self._client.remove_object(self._bucket, staging))
        return counter.size

    def read_note(self, name: str) -> bytes | None:
        check_note(name)
        self._ensure_bucket()
        try:
            response = self._call(lambda: self._client.get_object(self._bucket, name), name)
        except BlobNotFound:
            return None
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def write_note(self, name: str, data: bytes) -> None:
        check_note(name)
        self._ensure_bucket()
        self._call(lambda: self._client.put_object(self._bucket, name, io.BytesIO(data),
                                                   length=len(data), sse=self._sse))

    def delete_note(self, name: str) -> None:
        check_note(name)
        self._ensure_bucket()
        self._call(lambda: self._client.remove_object(self._bucket, name))

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        check_key(key)
        self._ensure_bucket()
        length = 0 if end is None else max(0, end - start)
        if end is not None and length == 0:
            return iter(())
        response = self._call(lambda: self._get_range(key, start, length), key)
        return iter(()) if response is None else stream_body(response)

    def _get_range(self, key: str, start: int, length: int) -> urllib3.BaseHTTPResponse | None:
        """The object from ``start`` on; None when ``start`` is at or past its end."""
        try:
            return self._client.get_object(self._bucket, key, offset=start, length=length)
        except S3Error as exc:
            if exc.code == "InvalidRange" and start > 0:
                return None
            raise


    def size(self, key: str) -> int:
        check_key(key)
        self._ensure_bucket()
        stat = self._call(lambda: self._client.stat_object(self._bucket, key), key)
        return int(stat.size or 0)

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except BlobNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        check_key(key)
        self._ensure_bucket()
        self._call(lambda: self._client.remove_object(self._bucket, key))

    def keys(self, after: str = "") -> Iterator[StoredBlob]:
        self._ensure_bucket()
        # S3 lists keys in ascending order; staging objects live under tmp/ (after "f...")
        listed = self._call(lambda: self._client.list_objects(
            self._bucket, recursive=True, start_after=after or None))
        for item in self._listed(listed):
            if is_key(item.key):
                yield item

    def leftovers(self) -> Iterator[StoredBlob]:
        self._ensure_bucket()
        listed = self._call(lambda: self._client.list_objects(self._bucket, prefix=STAGING,
                                                              recursive=True))
        for item in self._listed(listed):
            yield StoredBlob(item.key[len(STAGING):], item.modified)

    def _listed(self, listed: Iterator[Object]) -> Iterator[StoredBlob]:
        try:
            for found in listed:
                name = found.object_name or ""
                modified = found.last_modified or datetime.now(UTC)
                yield StoredBlob(name, modified)
        except (MinioException, Urllib3Error, OSError) as exc:
            raise StorageUnavailable(f"object storage listing failed: {exc}") from exc

    def delete_leftover(self, name: str) -> None:
        self._ensure_bucket()
        staged = STAGING + check_leftover(name)
        self._call(lambda: self._client.remove_object(self._bucket, staged))

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        return temporary_copy(key, self.open(key))

    def stored_keys(self) -> Iterator[str]:
        self._ensure_bucket()
        listing = self._call(lambda: self._client.list_objects(self._bucket, recursive=True))
        try:
            for item in listing:
                if item.object_name is not None and is_key(item.object_name):
                    yield item.object_name
        except (S3Error, MinioException, Urllib3Error, OSError) as exc:
            raise StorageUnavailable(f"object storage listing failed: {exc}") from exc

    def open_stored(self, key: str) -> Iterator[bytes]:
        return self.open(key)

    def put_stored(self, key: str, chunks: Iterable[bytes]) -> None:
        check_key(key)
        self._ensure_bucket()
        body = cast(BinaryIO, ChunkReader(chunks))
        self._call(lambda: self._client.put_object(self._bucket, key, body, length=-1,
                                                   part_size=PART_SIZE, sse=self._sse))

    def check(self) -> None:
        self._bucket_ready = False
        self._ensure_bucket()


class S3Target:
    """Files under ``prefix/`` in a bucket, reached with the installation's S3 settings."""

    def __init__(self, client: Minio, bucket: str, prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.description = f"s3://{bucket}/{self._prefix}"
        self._bucket_ready = False

    def _key(self, name: str) -> str:
        return self._prefix + check_name(name)

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not s3_call(lambda: self._client.bucket_exists(self._bucket)):
            s3_call(lambda: self._client.make_bucket(self._bucket))
        self._bucket_ready = True

    def exists(self, name: str) -> bool:
        self._ensure_bucket()
        try:
            s3_call(lambda: self._client.stat_object(self._bucket, self._key(name)), name)
        except BlobNotFound:
            return False
        return True

    def read(self, name: str) -> Iterator[bytes]:
        self._ensure_bucket()
        response = s3_call(lambda: self._client.get_object(self._bucket, self._key(name)), name)
        return stream_body(response)

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        self._ensure_bucket()
        body = cast(BinaryIO, ChunkReader(chunks))
        s3_call(lambda: self._client.put_object(self._bucket, self._key(name), body, length=-1,
                                                part_size=PART_SIZE))

    def names(self, prefix: str) -> Iterator[str]:
        self._ensure_bucket()
        listing = s3_call(lambda: list(self._client.list_objects(
            self._bucket, prefix=self._prefix + prefix, recursive=True)))
        for item in listing:
            if item.object_name is not None:
                yield item.object_name[len(self._prefix):]

    def delete(self, name: str) -> None:
        self._ensure_bucket()
        s3_call(lambda: self._client.remove_object(self._bucket, self._key(name)))
