"""Restoring an older version: it becomes the latest again as a new version that points at
the same stored file (and carries its extracted text), audited with a note."""

from __future__ import annotations

from sqlalchemy import func, select

from docservice.db.access import writable_document
from docservice.db.models import Page, Version
from docservice.db.repositories import record_event
from docservice.domain import Category, IngestState, Principal
from docservice.errors import N_, Unprocessable, VersionNotFound
from docservice.services import outbox
from docservice.services.context import Context
from docservice.services.documents import UploadOutcome
from docservice.services.review import moved_forward

RESTORE_VERSION = "restore_version"  # audit action
COPIED = ("blob_key", "filename", "media_type", "size", "state", "state_reason", "page_count",
          "language", "extracted_title", "author", "years", "indexed_at")


def restore_version(ctx: Context, principal: Principal, document_id: int, version_id: int,
                    note: str | None = None) -> UploadOutcome:
    """Make ``version_id`` of the document the latest again: a new version with the same
    file and text, noted "restored from vN" (and ``note``). Raises VersionNotFound when the
    version is not the document's, Unprocessable when it is the latest already or its text
    is still being read."""
    with ctx.uow() as uow:
        session = uow.session
        document = writable_document(session, principal, document_id)
        old = session.get(Version, version_id)
        if old is None or old.document_id != document.id:
            raise VersionNotFound(version_id)
        if old.id == document.latest_version_id:
            raise Unprocessable(N_("version %(number)s is the latest already"), number=old.number)
        if not IngestState(old.state).is_terminal:
            raise Unprocessable(N_("version %(number)s is still being read; restore it once "
                                   "its text is extracted"), number=old.number)
        number = (session.scalar(select(func.max(Version.number))
                                 .where(Version.document_id == document.id)) or 0) + 1
        said = f"restored from v{old.number}" + (f": {note.strip()}" if note and note.strip()
                                                  else "")
        new = Version(document_id=document.id, number=number, uploader_id=principal.user_id,
                      note=said, **{name: getattr(old, name) for name in COPIED})
        session.add(new)
        session.flush()
        session.add_all(Page(version_id=new.id, number=page.number, text=page.text)
                        for page in session.scalars(select(Page).where(
                            Page.version_id == old.id)))
        document.latest_version_id = new.id
        if document.category != Category.CONTRACT.value:
            document.review_by = moved_forward(ctx.settings, document.category,
                                               document.subtype, document.review_by)
        record_event(session, principal, RESTORE_VERSION, document_id=document.id,
                     version_id=new.id, detail=f"v{old.number} -> v{number}: {said}")
        uow.owe(outbox.INDEX_DOCUMENT, run_now=True, document_id=document.id)
        outcome = UploadOutcome(document_id=document.id, version_id=new.id, version=number,
                                state=new.state)
        uow.commit()
    return outcome
