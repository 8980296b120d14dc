"""The composition root: the one place that picks adapters for the configured tier."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from docservice.config import Settings, ensure_secret_key
from docservice.datadir import make_private
from docservice.db.engine import make_engine, make_session_factory
from docservice.db.migrate import upgrade
from docservice.errors import N_, ConfigError, InvalidInput, ServiceUnavailable, StorageUnavailable
from docservice.queue.base import JobQueue, JobRunner
from docservice.search.base import SearchIndex
from docservice.search.synonyms import SynonymFile
from docservice.services.context import Closeable, Context
from docservice.services.ingestion import requeue_unfinished
from docservice.services.jobs import run_job
from docservice.services.scheduler import start_scheduler
from docservice.services.sweeper import start_sweeper
from docservice.storage.backup_target import BackupTarget
from docservice.storage.base import BlobStore, RawBlobStore
from docservice.storage.encrypted import MARKER, EncryptedBlobStore
from docservice.storage.keys import load_keyring

log = logging.getLogger(__name__)


def blob_store(settings: Settings) -> BlobStore:
    """The configured adapter, encrypting when a master key is configured."""
    store = raw_blob_store(settings)
    keyring = load_keyring(settings)
    if keyring is None:
        _refuse_encrypted_without_key(store)
        return store
    encrypted = EncryptedBlobStore(store, keyring)
    with contextlib.suppress(StorageUnavailable):  # an away bucket is marked on a later start
        encrypted.mark()
    return encrypted


def _refuse_encrypted_without_key(store: RawBlobStore) -> None:
    try:
        marked = store.read_note(MARKER) is not None
    except StorageUnavailable:
        return
    if marked:
        raise ConfigError("the stored files are encrypted, but no master key is configured: "
                          "set DOCSERVICE_MASTER_KEY or DOCSERVICE_MASTER_KEY_FILE")
    log.warning("stored files are not encrypted: no DOCSERVICE_MASTER_KEY or "
                "DOCSERVICE_MASTER_KEY_FILE is configured")


def raw_blob_store(settings: Settings) -> RawBlobStore:
    if settings.storage_backend == "s3":
        from docservice.storage.s3 import S3BlobStore

        return S3BlobStore(endpoint=settings.s3_endpoint, access_key=settings.s3_access_key,
                           secret_key=settings.s3_secret_key, bucket=settings.s3_bucket,
                           secure=settings.s3_secure, region=settings.s3_region,
                           server_side_encryption=settings.s3_server_side_encryption)
    if settings.storage_backend == "memory":
        from docservice.storage.memory import MemoryBlobStore

        return MemoryBlobStore()
    from docservice.storage.local import LocalBlobStore

    return LocalBlobStore(settings.blob_dir)


def backup_target(settings: Settings, destination: str) -> BackupTarget:
    """Where ``docservice backup`` writes: ``s3://bucket/prefix`` (with the installation's
    S3 endpoint and credentials) or a folder."""
    if destination.startswith("s3://"):
        from docservice.storage.s3 import S3Target, minio_client

        bucket, _, prefix = destination.removeprefix("s3://").partition("/")
        if not bucket:
            raise InvalidInput(N_("an S3 destination names a bucket: s3://bucket/prefix"))
        client = minio_client(settings.s3_endpoint, settings.s3_access_key,
                              settings.s3_secret_key, settings.s3_secure, settings.s3_region)
        return S3Target(client, bucket, prefix)
    from docservice.storage.backup_target import FolderTarget

    return FolderTarget(Path(destination))


def search_index(settings: Settings, resources: list[Closeable]) -> SearchIndex:
    """The configured engine's adapter; what it holds open goes to ``resources``."""
    if settings.search_backend in ("elasticsearch", "opensearch"):
        from docservice.search.elastic import ElasticIndex, ElasticsearchClient, OpenSearchClient

        client = (OpenSearchClient if settings.search_backend == "opensearch"
                  else ElasticsearchClient)(settings.elasticsearch_url)
        return ElasticIndex(client, prefix=settings.index_prefix)
    from docservice.search.tantivy import FacetThreads, TantivyIndex

    facet_threads = FacetThreads()
    resources.append(facet_threads)
    return TantivyIndex(settings.index_dir, facet_threads=facet_threads)


def synonyms(settings: Settings, resources: list[Closeable]) -> None:
    """Search with the admin's synonym file when ``DOCSERVICE_SYNONYMS_FILE`` names one."""
    if settings.synonyms_file is not None:
        resources.append(SynonymFile(settings.synonyms_file).open())


def job_queue(settings: Settings, runner: JobRunner) -> JobQueue:
    if settings.queue_backend == "rq":
        from docservice.queue.rq_queue import RQQueue

        return RQQueue(settings.redis_url, prefix=settings.index_prefix)
    from docservice.queue.inline import InlineQueue

    return InlineQueue(runner, workers=settings.workers)


def bootstrap(settings: Settings, *, migrate: bool = True) -> Context:
    """Connect every port, apply migrations and make sure the index exists."""
    make_private(settings.data_dir)
    settings = ensure_secret_key(settings)
    resources: list[Closeable] = []
    synonyms(settings, resources)  # first: a bad synonym file stops the start at once
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    ctx = Context(settings=settings, engine=engine, session_factory=make_session_factory(engine),
                  blobs=blob_store(settings), index=search_index(settings, resources),
                  resources=resources)
    ctx.queue = job_queue(settings, lambda job, item_ids: run_job(ctx, job, item_ids))
    try:
        ctx.index.ensure()
    except ServiceUnavailable as exc:
        # Start anyway: uploads are still accepted and queued, search answers 503 until
        # the engine is back, and the adapter creates the index on its first write.
        log.warning("search index unavailable at start: %s", exc.message)
    return ctx


def start_workers(ctx: Context) -> int:
    """Start in-process workers, the sweeper and the scheduler, and queue again what a
    crash left unfinished.

    With RQ the worker processes do the recovery when they start (``python -m workers``);
    web processes only enqueue, and sweep.
    """
    ctx.queue.start()
    start_sweeper(ctx)
    start_scheduler(ctx)
    from docservice.services.ingestion import ocr_warning

    if (warning := ocr_warning(ctx)) is not None:
        log.warning("OCR is off: %s", warning)
    if ctx.settings.queue_backend != "inline":
        return 0
    requeued = requeue_unfinished(ctx)
    if requeued:
        log.info("queued %d unfinished versions again", requeued)
    return requeued
