"""Backups of a running installation, their check, and restoring one into an empty one.

Layout of a destination (a folder or an S3 prefix)::

    files/ab/cd/<key>                  every stored file, as stored (encrypted ones stay so),
                                       shared by all snapshots: a backup copies new ones only
    snapshots/<id>/database.sqlite     the database copy (database.pgdump on PostgreSQL)
    snapshots/<id>/secret_key          the data dir's session key, when it has one
    snapshots/<id>/index.tar           the embedded search index (``--with-index`` only)
    snapshots/<id>/manifest.json       written last: names every file above with its sha256

A snapshot without a manifest is unfinished and ignored. Keeping the newest N snapshots
deletes the others and then every file no kept manifest names. The master key that
decrypts stored files is never part of a backup: it must be kept separately.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine

from docservice.config import Settings
from docservice.db import snapshot as db_snapshot
from docservice.db.engine import make_engine
from docservice.db.models import utcnow
from docservice.db.repositories import record_event
from docservice.domain import OPERATOR, Principal
from docservice.errors import (
    N_,
    BlobNotFound,
    DocserviceError,
    InvalidInput,
    PermissionDenied,
    ServiceUnavailable,
)
from docservice.services import indexing
from docservice.services.context import Context
from docservice.storage.backup_target import BackupTarget
from docservice.storage.base import BlobStore

log = logging.getLogger(__name__)

FORMAT = "docservice-backup/1"
SNAPSHOTS = "snapshots/"
MANIFEST = "manifest.json"
STATUS = "status.json"  # the last backup's figures, small, for the admin page
COPY_THREADS = 4
ATTEMPTS = 3  # a file deleted between the database copy and its own copy: copy again
MASTER_KEY_NOTE = ("The master key (DOCSERVICE_MASTER_KEY or its key file) is not in this "
                   "backup: keep it separately, without it encrypted files cannot be read.")


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    snapshot: str
    created_at: str
    revision: str
    database_kind: str
    parts: dict[str, FileEntry]  # snapshot files (database, secret key, index) by name
    files: dict[str, FileEntry]  # stored files by key
    documents: int
    versions: int

    def to_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT, "snapshot": self.snapshot, "created_at": self.created_at,
            "revision": self.revision, "database_kind": self.database_kind,
            "documents": self.documents, "versions": self.versions,
            "master_key": MASTER_KEY_NOTE,
            "parts": {name: vars(entry) for name, entry in self.parts.items()},
            "files": {key: vars(entry) for key, entry in sorted(self.files.items())},
        }, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise InvalidInput(N_("not a docservice backup manifest (format %(format)s)"),
                               format=str(raw.get("format")))
        return cls(raw["snapshot"], raw["created_at"], raw["revision"], raw["database_kind"],
                   {name: FileEntry(**entry) for name, entry in raw["parts"].items()},
                   {key: FileEntry(**entry) for key, entry in raw["files"].items()},
                   raw["documents"], raw["versions"])


@dataclass(frozen=True)
class BackupResult:
    destination: str
    snapshot: str
    files: int
    copied_files: int
    copied_bytes: int
    documents: int
    versions: int
    with_index: bool
    pruned_snapshots: tuple[str, ...]
    pruned_files: int

    @property
    def summary(self) -> str:
        return (f"snapshot {self.snapshot} in {self.destination}: {self.documents} documents, "
                f"{self.versions} versions, {self.files} files ({self.copied_files} new, "
                f"{self.copied_bytes} bytes copied)")


@dataclass(frozen=True)
class LastBackup:
    snapshot: str
    created_at: str
    documents: int
    versions: int
    files: int
    copied_files: int
    snapshots_kept: int


@dataclass(frozen=True)
class BackupStatus:
    """What the admin page shows: the scheduled backups' settings and the last one."""

    destination: str | None
    keep: int
    last: LastBackup | None
    error: str | None = None


@dataclass(frozen=True)
class VerifyReport:
    destination: str
    snapshots: tuple[str, ...]
    files_checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.snapshots)


@dataclass(frozen=True)
class RestoreResult:
    snapshot: str
    documents: int
    versions: int
    files: int
    index_entries: int
    index_from_backup: bool


def file_name(key: str) -> str:
    return f"files/{key[:2]}/{key[2:4]}/{key}"


def part_name(snapshot: str, name: str) -> str:
    return f"{SNAPSHOTS}{snapshot}/{name}"


class _Hashing:
    """Passes chunks through while hashing them; with ``expect``, raises at the end when
    the bytes are not those (so a damaged copy is never completed)."""

    def __init__(self, chunks: Iterable[bytes], expect: str | None = None,
                 what: str = "") -> None:
        self._chunks = chunks
        self._expect = expect
        self._what = what
        self.digest = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.digest.update(chunk)
            self.size += len(chunk)
            yield chunk
        if self._expect is not None and self.digest.hexdigest() != self._expect:
            raise DamagedBackup(N_("%(what)s is damaged: its sha256 is not the manifest's"),
                                what=self._what)

    def entry(self) -> FileEntry:
        return FileEntry(self.digest.hexdigest(), self.size)


class DamagedBackup(DocserviceError):
    code = "damaged_backup"


# --- reading a destination ---------------------------------------------------------------

def snapshots(target: BackupTarget) -> list[str]:
    """The finished snapshots (with a manifest), oldest first."""
    return sorted(name[len(SNAPSHOTS):-len(MANIFEST) - 1] for name in target.names(SNAPSHOTS)
                  if name.endswith("/" + MANIFEST) and name.count("/") == 2)


def read_manifest(target: BackupTarget, snapshot: str) -> Manifest:
    return Manifest.from_json(b"".join(target.read(part_name(snapshot, MANIFEST))))


def _chosen(target: BackupTarget, snapshot: str | None) -> str:
    found = snapshots(target)
    if not found:
        raise InvalidInput(N_("no finished backup in %(where)s"), where=target.description)
    if snapshot is None:
        return found[-1]
    if snapshot not in found:
        raise InvalidInput(N_("no snapshot %(name)s in %(where)s (there are: %(known)s)"),
                           name=snapshot, where=target.description, known=", ".join(found))
    return snapshot


# --- backup -----------------------------------------------------------------------------

def scheduled_backup(ctx: Context) -> str:
    """The scheduled task: a backup to ``DOCSERVICE_BACKUP_DEST`` keeping the newest
    ``DOCSERVICE_BACKUP_KEEP`` snapshots; its one-line summary."""
    if not ctx.settings.backup_dest:
        return "no backup destination set (DOCSERVICE_BACKUP_DEST): nothing backed up"
    from docservice.bootstrap import backup_target  # the destination's adapter

    target = backup_target(ctx.settings, ctx.settings.backup_dest)
    return make_backup(ctx, OPERATOR, target, keep=ctx.settings.backup_keep).summary


def backup_status(ctx: Context, principal: Principal) -> BackupStatus:
    """The scheduled backups' destination and the last backup made there (admins)."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only an admin can see the backups"))
    destination = ctx.settings.backup_dest or None
    if destination is None:
        return BackupStatus(None, ctx.settings.backup_keep, None)
    from docservice.bootstrap import backup_target

    try:
        target = backup_target(ctx.settings, destination)
        if not target.exists(STATUS):
            return BackupStatus(destination, ctx.settings.backup_keep, None)
        last = LastBackup(**json.loads(b"".join(target.read(STATUS))))
    except ServiceUnavailable as exc:
        return BackupStatus(destination, ctx.settings.backup_keep, None, exc.message)
    return BackupStatus(destination, ctx.settings.backup_keep, last)


def make_backup(ctx: Context, principal: Principal, target: BackupTarget, *,
                with_index: bool = False, keep: int | None = None) -> BackupResult:
    """Copy the database, the files it uses and (``with_index``) the embedded index to
    ``target`` as a new snapshot; keep only the newest ``keep`` snapshots."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only an admin can make a backup"))
    if with_index and ctx.settings.search_backend != "embedded":
        raise InvalidInput(N_("--with-index copies the embedded index only; a search "
                              "engine's index is rebuilt on restore"))
    if keep is not None and keep < 1:
        raise InvalidInput(N_("keep at least one backup"))
    known = _known_files(target)
    name = _new_snapshot_name(target)
    with tempfile.TemporaryDirectory(prefix="docservice-backup-") as tmp:
        copy, files, copied = _copy_consistent(ctx, target, Path(tmp), known)
        parts = {db_snapshot.COPY_NAMES[copy.kind]: write_database_copy(
            target, part_name(name, db_snapshot.COPY_NAMES[copy.kind]), copy.path)}
        secret = ctx.settings.data_dir / "secret_key"
        if secret.is_file():
            parts["secret_key"] = _write_file(target, part_name(name, "secret_key"), secret)
        if with_index:
            tar = _index_tar(ctx.settings.index_dir, Path(tmp) / "index.tar")
            parts["index.tar"] = _write_file(target, part_name(name, "index.tar"), tar)
    manifest = Manifest(name, utcnow().isoformat(), copy.revision, copy.kind, parts, files,
                        copy.documents, copy.versions)
    target.write(part_name(name, MANIFEST), [manifest.to_json()])
    pruned, pruned_files = prune(target, keep) if keep else ((), 0)
    result = BackupResult(target.description, name, len(files), len(copied),
                          sum(files[key].size for key in copied), copy.documents, copy.versions,
                          with_index, pruned, pruned_files)
    status = LastBackup(name, manifest.created_at, result.documents, result.versions,
                        result.files, result.copied_files, len(snapshots(target)))
    target.write(STATUS, [json.dumps(asdict(status)).encode()])
    log.info("backup done: %s", result.summary)
    return result


def _new_snapshot_name(target: BackupTarget) -> str:
    base = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    taken = set(snapshots(target))
    return base if base not in taken else f"{base}-{len(taken)}"


def _known_files(target: BackupTarget) -> dict[str, FileEntry]:
    """Files already at the destination and named by a finished manifest (a file copied by
    a backup that died before its manifest is copied again)."""
    present = set(target.names("files/"))
    known: dict[str, FileEntry] = {}
    for name in snapshots(target):
        for key, entry in read_manifest(target, name).files.items():
            if file_name(key) in present:
                known[key] = entry
    return known


def _copy_consistent(ctx: Context, target: BackupTarget, workdir: Path,
                     known: dict[str, FileEntry]
                     ) -> tuple[db_snapshot.DatabaseCopy, dict[str, FileEntry], set[str]]:
    """Copy the database, then every file it names that the destination lacks. A file
    deleted in between (its document deleted) means a newer copy of the database, which no
    longer names it, is taken and the copying goes on."""
    files = dict(known)
    copied: set[str] = set()
    for _attempt in range(ATTEMPTS):
        copy = db_snapshot.copy_database(ctx.engine, workdir)
        missing = [key for key in sorted(copy.blob_keys) if key not in files]
        vanished = _copy_files(ctx.blobs, target, missing, files, copied)
        if not vanished:
            return copy, {key: files[key] for key in copy.blob_keys}, copied & copy.blob_keys
        log.info("%d files were deleted while backing up; copying the database again",
                 len(vanished))
    raise DocserviceError(N_("files kept disappearing while backing up: try again"))


def _copy_files(blobs: BlobStore, target: BackupTarget, keys: list[str],
                files: dict[str, FileEntry], copied: set[str]) -> list[str]:
    """Copy ``keys`` (stored bytes as they are), recording each; the keys no longer stored."""
    def one(key: str) -> str | None:
        try:
            hashing = _Hashing(blobs.open_stored(key))
            target.write(file_name(key), hashing)
        except BlobNotFound:
            return key
        files[key] = hashing.entry()
        copied.add(key)
        return None

    with ThreadPoolExecutor(COPY_THREADS) as pool:
        return [key for key in pool.map(one, keys) if key is not None]


def write_database_copy(target: BackupTarget, name: str, path: Path) -> FileEntry:
    """Write the database copy to the destination (the one place its bytes leave)."""
    return _write_file(target, name, path)


def _write_file(target: BackupTarget, name: str, path: Path) -> FileEntry:
    hashing = _Hashing(_read_chunks(path))
    target.write(name, hashing)
    return hashing.entry()


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def _index_tar(index_dir: Path, tar_path: Path) -> Path:
    """The embedded index as a tar; its files are written once and replaced, never changed
    in place, so a copy taken while it is written is read again if a file vanished."""
    for _attempt in range(ATTEMPTS):
        try:
            with tarfile.open(tar_path, "w") as tar:
                tar.add(index_dir, arcname=".")
            return tar_path
        except FileNotFoundError:
            continue
    raise DocserviceError(N_("the search index kept changing while backing up: try again"))


# --- retention --------------------------------------------------------------------------

def prune(target: BackupTarget, keep: int) -> tuple[tuple[str, ...], int]:
    """Delete all but the newest ``keep`` snapshots, unfinished ones older than the newest
    finished one, and every file no kept manifest names; (deleted snapshots, files)."""
    finished = snapshots(target)
    doomed = finished[:-keep] if len(finished) > keep else []
    for name in doomed:  # the manifest first: a prune that dies leaves unfinished snapshots
        target.delete(part_name(name, MANIFEST))
    newest = finished[-1] if finished else ""
    kept = set(finished[-keep:])
    for name in list(target.names(SNAPSHOTS)):
        snapshot = name[len(SNAPSHOTS):].split("/", 1)[0]
        if snapshot not in kept and snapshot < newest:
            target.delete(name)
    used = {file_name(key) for name in kept for key in read_manifest(target, name).files}
    unused = [name for name in target.names("files/") if name not in used]
    for name in unused:
        target.delete(name)
    return tuple(doomed), len(unused)


# --- verify -----------------------------------------------------------------------------

def verify_backup(target: BackupTarget, snapshot: str | None = None) -> VerifyReport:
    """Check every file's sha256 against the manifests and each database copy's integrity
    (every snapshot, or only ``snapshot``)."""
    names = [snapshot] if snapshot else snapshots(target)
    if snapshot:
        _chosen(target, snapshot)
    problems: list[str] = []
    files: dict[str, FileEntry] = {}
    for name in names:
        manifest = read_manifest(target, name)
        problems += _verify_parts(target, manifest)
        for key, entry in manifest.files.items():
            files.setdefault(key, entry)
    with ThreadPoolExecutor(COPY_THREADS) as pool:
        for problem in pool.map(lambda item: _verify_file(target, *item), files.items()):
            if problem:
                problems.append(problem)
    if not names:
        problems.append(f"no finished backup in {target.description}")
    return VerifyReport(target.description, tuple(names), len(files), tuple(problems))


def _verify_file(target: BackupTarget, key: str, entry: FileEntry) -> str | None:
    try:
        return _hash_problem(file_name(key), target.read(file_name(key)), entry)
    except BlobNotFound:
        return f"{file_name(key)} is missing"


def _hash_problem(name: str, chunks: Iterable[bytes], entry: FileEntry) -> str | None:
    hashing = _Hashing(chunks)
    for _chunk in hashing:
        pass
    if hashing.entry() != entry:
        return f"{name} is damaged (sha256 or size differs from the manifest)"
    return None


def _verify_parts(target: BackupTarget, manifest: Manifest) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory(prefix="docservice-verify-") as tmp:
        for part, entry in manifest.parts.items():
            name = part_name(manifest.snapshot, part)
            local = Path(tmp) / part
            try:
                _download(target, name, local)
            except BlobNotFound:
                problems.append(f"{name} is missing")
                continue
            problem = _hash_problem(name, _read_chunks(local), entry)
            if problem:
                problems.append(problem)
            elif part == db_snapshot.COPY_NAMES[manifest.database_kind]:
                problems += [f"{name}: {issue}"
                             for issue in db_snapshot.check_copy(manifest.database_kind, local)]
    return problems


def _download(target: BackupTarget, name: str, path: Path) -> None:
    with path.open("wb") as out:
        for chunk in target.read(name):
            out.write(chunk)


# --- restore ----------------------------------------------------------------------------

def restore_backup(settings: Settings, target: BackupTarget,
                   snapshot: str | None = None) -> RestoreResult:
    """Fill the empty installation ``settings`` describes (database, file store and, on the
    embedded tier, index) from a snapshot (default: the newest), then rebuild the index.

    Refuses, changing nothing, when the database or the file store holds anything."""
    # Restoring starts before there is a context: a context migrates the database, and the
    # database must stay empty until the copy is in.
    from docservice.bootstrap import blob_store, bootstrap

    name = _chosen(target, snapshot)
    manifest = read_manifest(target, name)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    blobs = blob_store(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        _refuse_unless_empty(engine, blobs)
        with tempfile.TemporaryDirectory(prefix="docservice-restore-") as tmp:
            database = _download_checked(
                target, manifest, db_snapshot.COPY_NAMES[manifest.database_kind], Path(tmp))
            _restore_files_or_none(blobs, target, manifest,
                                   lambda: db_snapshot.restore_database(
                                       engine, manifest.database_kind, database))
            _restore_secret_key(settings, target, manifest)
            with_index = _restore_index(settings, target, manifest, Path(tmp))
    finally:
        engine.dispose()
    ctx = bootstrap(settings)
    try:
        entries = 0 if with_index else indexing.rebuild_index(ctx)
        with ctx.uow() as uow:
            record_event(uow.session, OPERATOR, "restore",
                         detail=f"{target.description} snapshot {name}")
            uow.commit()
    finally:
        ctx.close()
    return RestoreResult(name, manifest.documents, manifest.versions, len(manifest.files),
                         entries, with_index)


def _refuse_unless_empty(engine: Engine, blobs: BlobStore) -> None:
    if not db_snapshot.database_is_empty(engine):
        raise RestoreRefused(N_("the database is not empty: restore into a new data dir or "
                                "an empty database"))
    if next(iter(blobs.stored_keys()), None) is not None:
        raise RestoreRefused(N_("the file store is not empty: restore into a new data dir or "
                                "an empty bucket"))


def _download_checked(target: BackupTarget, manifest: Manifest, part: str,
                      workdir: Path) -> Path:
    name = part_name(manifest.snapshot, part)
    local = workdir / part
    with local.open("wb") as out:
        for chunk in _Hashing(target.read(name), manifest.parts[part].sha256, name):
            out.write(chunk)
    return local


def _restore_secret_key(settings: Settings, target: BackupTarget, manifest: Manifest) -> None:
    """The backup's session key, unless the installation brings its own."""
    path = settings.data_dir / "secret_key"
    if "secret_key" in manifest.parts and not settings.secret_key and not path.exists():
        _download_checked(target, manifest, "secret_key", settings.data_dir).chmod(0o600)


def _restore_files_or_none(blobs: BlobStore, target: BackupTarget, manifest: Manifest,
                           restore_database: Callable[[], None]) -> None:
    """Copy every file (each checked against its sha256), then the database; when anything
    fails, the files copied so far are removed again: the store was empty, and a restore
    either completes or leaves the installation as empty as it found it."""
    put: list[str] = []

    def one(item: tuple[str, FileEntry]) -> None:
        key, entry = item
        name = file_name(key)
        blobs.put_stored(key, _Hashing(target.read(name), entry.sha256, name))
        put.append(key)

    try:
        with ThreadPoolExecutor(COPY_THREADS) as pool:
            list(pool.map(one, manifest.files.items()))
        restore_database()
    except BaseException:
        for key in put:
            blobs.delete(key)
        raise


def _restore_index(settings: Settings, target: BackupTarget, manifest: Manifest,
                   workdir: Path) -> bool:
    """Unpack the backup's embedded index, if it has one and this installation uses one."""
    if "index.tar" not in manifest.parts or settings.search_backend != "embedded":
        return False
    tar_path = _download_checked(target, manifest, "index.tar", workdir)
    shutil.rmtree(settings.index_dir, ignore_errors=True)  # derived data of an empty database
    settings.index_dir.mkdir(parents=True)
    with tarfile.open(tar_path) as tar:
        tar.extractall(settings.index_dir, filter="data")
    return True


class RestoreRefused(InvalidInput):
    code = "restore_refused"
