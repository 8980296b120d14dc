"""The integrity check: do the database, the stored files and the search index agree?

Three phases, each in batches with bounded memory, with a checkpoint (a ``maintenance_runs``
row) after every batch, so that a check killed halfway continues where it stopped:

1. ``files``: every version's file is stored and its bytes hash to its key (read through
   the blob store, so what is compared is the content the version recorded, however the
   store keeps it).
2. ``orphans``: every stored file belongs to a version. A file younger than ``grace`` is
   left alone (an upload stores its file a moment before its version row commits), and so
   are staging files of uploads younger than ``grace`` (an upload that is still running
   writes to its staging file all the time).
3. ``index``: every version that finished ingestion has exactly one index entry, whose
   digest (analysis.entry_digest, stored with the entry) matches what the database says
   now (text, metadata, readers), and the index holds nothing else. Documents with an index
   update still owed (outbox) and versions indexed within ``grace`` are left for later.

With ``repair``: orphan files and leftovers of cut-off uploads are removed (each checked
again just before), and wrong index entries are fixed through the outbox (the document's
entries sent again; an entry of a version that is gone dropped). A missing or damaged file
cannot be repaired here (restore it from a backup); it is reported, and the command exits
non-zero while any problem remains.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from docservice.db import integrity as store
from docservice.db.index_entries import SEARCHABLE, entries_between
from docservice.db.models import Document, MaintenanceRun, Version, utcnow
from docservice.db.repositories import record_event
from docservice.domain import Principal, StoredBlob
from docservice.errors import N_, BlobNotFound, PermissionDenied
from docservice.search.analysis import entry_digest
from docservice.services import runs
from docservice.services.context import Context
from docservice.views import IntegrityProblem, IntegrityReport

log = logging.getLogger(__name__)

KIND = "check"
FILES, ORPHANS, INDEX, DONE = "files", "orphans", "index", "done"
PHASES = (FILES, ORPHANS, INDEX, DONE)
VERSION_BATCH = 500
KEY_BATCH = 1000
INDEX_RANGE = 1000  # version ids per index batch
ID_END = 2**31 - 1  # the index is also asked for entries above the last version id
PROBLEMS_KEPT = 200
DEFAULT_GRACE = timedelta(minutes=15)

INDEX_VERSION = "index.version"
"""Outbox kind: the entry of one version was found wrong or stale; send its document's
entries again, and drop the version's entry unless it should be there."""

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class _Tally:
    """What the run has seen so far; saved with the checkpoint."""

    checked: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    repaired: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add(self, problem: IntegrityProblem) -> None:
        self.found[problem.kind] += 1
        self.repaired += problem.repaired
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(asdict(problem))
        log.warning("integrity: %s %s %s%s", problem.kind, problem.subject, problem.detail,
                    " (repaired)" if problem.repaired else "")

    def counts_json(self) -> str:
        return json.dumps({"checked": dict(self.checked), "found": dict(self.found),
                           "repaired": self.repaired})

    @classmethod
    def load(cls, counts_json: str, problems_json: str) -> _Tally:
        counts = json.loads(counts_json or "{}")
        return cls(Counter(counts.get("checked", {})), Counter(counts.get("found", {})),
                   int(counts.get("repaired", 0)), json.loads(problems_json or "[]"))


def check(ctx: Context, principal: Principal, *, repair: bool = False,
          grace: timedelta = DEFAULT_GRACE, hash_files: bool = True, restart: bool = False,
          progress: Progress = _quiet) -> IntegrityReport:
    """Check (and with ``repair``, mend) the installation; continues a run that stopped
    halfway unless ``restart``. Raises PermissionDenied for non-admins, InvalidInput while
    another process runs a check."""
    _require_admin(principal)
    started = runs.start(ctx, KIND, repair=repair, first_phase=FILES, restart=restart)
    tally = _Tally.load(started.counts, started.problems)
    if started.resumed:
        progress(f"continuing the check of {started.started_at:%Y-%m-%d %H:%M} "
                 f"from {started.phase} {started.cursor or 'start'}")
    checker = _Checker(ctx, started.run_id, repair, grace, hash_files, tally, progress)
    with runs.held(ctx, started.run_id):
        checker.run(started.phase, started.cursor)
    if repair and tally.repaired:
        with ctx.uow() as uow:
            record_event(uow.session, principal, "integrity_repair",
                         detail=f"{tally.repaired} problem(s) repaired by the integrity check")
            uow.commit()
    report = last_check(ctx, principal)
    assert report is not None
    return report


def last_check(ctx: Context, principal: Principal) -> IntegrityReport | None:
    """The newest check (finished, running or stopped halfway); None if none ran yet."""
    _require_admin(principal)
    with ctx.uow() as uow:
        run = store.last_run(uow.session, KIND)
        return None if run is None else _report(run)


def nightly_check(ctx: Context) -> str:
    """The scheduled check (report only; repairs are an admin's decision)."""
    from docservice.domain import OPERATOR

    report = check(ctx, OPERATOR)
    return (f"{sum(count for _, count in report.checked)} items checked, "
            f"{report.remaining} problem(s)")


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only admins check the installation's integrity"))


def _report(run: MaintenanceRun) -> IntegrityReport:
    tally = _Tally.load(run.counts, run.problems)
    return IntegrityReport(
        run_id=run.id, state=run.state, repair=run.repair,
        started_at=run.started_at.isoformat(),
        finished_at=run.finished_at.isoformat() if run.finished_at else None,
        phase=run.phase, checked=tuple(sorted(tally.checked.items())),
        found=tuple(sorted(tally.found.items())), repaired=tally.repaired,
        problems=tuple(IntegrityProblem(**problem) for problem in tally.problems))


class _Checker:
    def __init__(self, ctx: Context, run_id: int, repair: bool, grace: timedelta,
                 hash_files: bool, tally: _Tally, progress: Progress) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.repair = repair
        self.grace = grace
        self.hash_files = hash_files
        self.tally = tally
        self.progress = progress

    def run(self, phase: str, cursor: str) -> None:
        steps = {FILES: self.files, ORPHANS: self.orphans, INDEX: self.index}
        for name in PHASES[PHASES.index(phase):-1]:
            steps[name](cursor)
            cursor = ""
            self.save(PHASES[PHASES.index(name) + 1], "")
        runs.finish(self.ctx, self.run_id)
        self.say()

    def save(self, phase: str, cursor: str) -> None:
        runs.checkpoint(self.ctx, self.run_id, phase, cursor, self.tally.counts_json(),
                        json.dumps(self.tally.problems))
        self.say(phase)

    def say(self, phase: str = DONE) -> None:
        checked = ", ".join(f"{count} {name}" for name, count in
                            sorted(self.tally.checked.items()))
        found = sum(self.tally.found.values())
        self.progress(f"{phase}: checked {checked or 'nothing yet'}; {found} problem(s), "
                      f"{self.tally.repaired} repaired")

    # -- 1. every version's file -----------------------------------------------------------

    def files(self, cursor: str) -> None:
        after = int(cursor or 0)
        while True:
            with self.ctx.uow() as uow:
                batch = store.versions_after(uow.session, after, VERSION_BATCH)
            if not batch:
                return
            sizes = {version.blob_key: version.size for version in batch}
            for key, size in sizes.items():
                if (problem := self.file_problem(key, size)) is not None:
                    self.tally.add(problem)
            self.tally.checked["versions"] += len(batch)
            self.tally.checked["files read"] += len(sizes)
            after = batch[-1].version_id
            self.save(FILES, str(after))

    def file_problem(self, key: str, size: int) -> IntegrityProblem | None:
        try:
            if not self.hash_files:
                found = self.ctx.blobs.exists(key)
                return None if found else IntegrityProblem("missing_file", key)
            digest = hashlib.sha256()
            length = 0
            for chunk in self.ctx.blobs.open(key):
                digest.update(chunk)
                length += len(chunk)
        except BlobNotFound:
            return IntegrityProblem("missing_file", key)
        if digest.hexdigest() != key or length != size:
            return IntegrityProblem("damaged_file", key,
                                    f"{length} bytes hash to {digest.hexdigest()[:12]}")
        return None

    # -- 2. every stored file belongs to a version ------------------------------------------

    def orphans(self, cursor: str) -> None:
        chunk: list[StoredBlob] = []
        for blob in self.ctx.blobs.keys(cursor):
            chunk.append(blob)
            if len(chunk) >= KEY_BATCH:
                self.orphan_batch(chunk)
                chunk = []
        self.orphan_batch(chunk)
        cutoff = utcnow() - self.grace
        for leftover in self.ctx.blobs.leftovers():
            if leftover.modified < cutoff:
                if self.repair:
                    self.ctx.blobs.delete_leftover(leftover.key)
                self.tally.add(IntegrityProblem("leftover_upload", leftover.key,
                                                leftover.modified.isoformat(), self.repair))

    def orphan_batch(self, chunk: list[StoredBlob]) -> None:
        if not chunk:
            return
        cutoff = utcnow() - self.grace
        with self.ctx.uow() as uow:
            used = store.referenced(uow.session, [blob.key for blob in chunk])
        for blob in chunk:
            if blob.key not in used and blob.modified < cutoff:
                self.tally.add(IntegrityProblem("orphan_file", blob.key,
                                                blob.modified.isoformat(),
                                                self.repair and self.remove_orphan(blob.key)))
        self.tally.checked["stored files"] += len(chunk)
        self.save(ORPHANS, chunk[-1].key)

    def remove_orphan(self, key: str) -> bool:
        with self.ctx.uow() as uow:  # again: a version may have taken the file meanwhile
            if store.referenced(uow.session, [key]):
                return False
        self.ctx.blobs.delete(key)
        return True

    # -- 3. the index holds what the database says, once ------------------------------------

    def index(self, cursor: str) -> None:
        low = int(cursor or 0)
        with self.ctx.uow() as uow:
            top = store.last_version_id(uow.session)
        while low <= top:
            self.index_range(low, low + INDEX_RANGE)
            low += INDEX_RANGE
            self.save(INDEX, str(low))
        self.index_range(low, max(low, ID_END))

    def index_range(self, low: int, high: int) -> None:
        with self.ctx.uow() as uow:
            expected = {entry.version_id: (entry.document_id, entry_digest(entry))
                        for entry in entries_between(uow.session, low, high)}
            owed = store.owed_documents(uow.session)
        held = self.ctx.index.entries_between(low, high)
        ids = set(expected) | {entry.version_id for entry in held}
        with self.ctx.uow() as uow:
            settling = store.recently_indexed(uow.session, ids, utcnow() - self.grace)
            existing = store.existing_versions(uow.session, ids - set(expected))
        problems: list[tuple[str, int, int]] = []
        copies = Counter(entry.version_id for entry in held)
        digests = {entry.version_id: (entry.document_id, entry.digest) for entry in held}
        for version_id, (document_id, digest) in expected.items():
            if document_id in owed or version_id in settling:
                continue
            if version_id not in digests:
                problems.append(("missing_entry", version_id, document_id))
            elif digests[version_id][1] != digest:
                problems.append(("outdated_entry", version_id, document_id))
            elif copies[version_id] > 1:
                problems.append(("doubled_entry", version_id, document_id))
        for version_id, (document_id, _) in digests.items():
            if version_id not in expected and version_id not in existing \
                    and document_id not in owed:
                problems.append(("stale_entry", version_id, document_id))
        self.tally.checked["index entries"] += len(held)
        self.mend_entries(problems)

    def mend_entries(self, problems: Iterable[tuple[str, int, int]]) -> None:
        found = list(problems)
        if self.repair and found:
            with self.ctx.uow() as uow:
                for _, version_id, document_id in found:
                    uow.owe(INDEX_VERSION, run_now=True, document_id=document_id,
                            version_id=version_id)
                uow.commit()
        for kind, version_id, document_id in found:
            self.tally.add(IntegrityProblem(kind, f"version {version_id}",
                                            f"document {document_id}", self.repair))


def mend_version_entry(ctx: Context, document_id: int, version_id: int) -> None:
    """The outbox handler of INDEX_VERSION: the document's entries sent again (or all
    dropped if it is gone), then the version's own entry dropped unless it belongs."""
    from docservice.services.indexing import reindex_document

    reindex_document(ctx, document_id)
    with ctx.uow() as uow:
        version = uow.session.get(Version, version_id)
        document = None if version is None else uow.session.get(Document, version.document_id)
        belongs = version is not None and version.state in SEARCHABLE and \
            document is not None and document.deleted_at is None
    if not belongs:
        ctx.index.delete_versions([version_id])

