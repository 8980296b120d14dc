"""Read use cases behind the document page: details, version text, live states.

Every function reads through the SQL read rule (``docservice.db.access``): nothing the caller
may not read is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy.orm import Session

from docservice.db.access import (
    can_write,
    readable_document,
    readable_version,
    readable_versions,
)
from docservice.db.index_entries import page_texts
from docservice.db.models import Document
from docservice.db.repositories import (
    document_view,
    grant_labels,
    record_event,
    version_view,
    versions_newest_first,
)
from docservice.db.usage import add_event as add_usage
from docservice.domain import Category, Principal
from docservice.ingest.contract_dates import ExpiryHint, suggest_expiry
from docservice.services.context import Context
from docservice.views import DocumentDetails, VersionState, VersionView

MAX_STATES = 200


def document_details(ctx: Context, principal: Principal, document_id: int, *,
                     record_view: bool = True) -> DocumentDetails:
    """The document, its versions newest first, grants and what the caller may do."""
    with ctx.uow() as uow:
        document = readable_document(uow.session, principal, document_id)
        hint = _expiry_hint(uow.session, document)
        details = DocumentDetails(
            **asdict(document_view(document)),
            versions_list=versions_newest_first(document),
            grants=grant_labels(uow.session, document),
            team_id=document.team_id,
            can_write=can_write(principal, document),
            can_manage=principal.is_admin or (document.owner_id is not None
                                              and document.owner_id == principal.user_id),
            customer_id=document.customer_id,
            expiry_hint=hint.expires_on.isoformat() if hint else None,
            expiry_hint_phrase=hint.phrase if hint else None)
        if record_view:
            record_event(uow.session, principal, "view", document_id=document_id)
            add_usage(uow.session, principal, "view", document_id=document_id)
            uow.commit()
    return details


def _expiry_hint(session: Session, document: Document) -> ExpiryHint | None:
    """What a contract's latest text says about its expiry, when that differs from the
    stored expiry: a hint the person confirms on the document page."""
    hint = None
    if document.category == Category.CONTRACT.value and document.latest_version_id:
        hint = suggest_expiry("\n".join(page_texts(session, document.latest_version_id)),
                              document.starts_on)
    return None if hint is None or hint.expires_on == document.expires_on else hint


def versions(ctx: Context, principal: Principal, document_id: int) -> tuple[VersionView, ...]:
    with ctx.uow() as uow:
        return versions_newest_first(readable_document(uow.session, principal, document_id))


def version_details(ctx: Context, principal: Principal, version_id: int) -> VersionView:
    with ctx.uow() as uow:
        return version_view(readable_version(uow.session, principal, version_id))


def version_text(ctx: Context, principal: Principal, version_id: int, *,
                 record_read: bool = False) -> tuple[VersionView, list[str]]:
    """A version and its extracted text, one string per page; ``record_read`` audits the
    read (the API; the document page records its view instead)."""
    with ctx.uow() as uow:
        version = readable_version(uow.session, principal, version_id)
        found = version_view(version), page_texts(uow.session, version_id)
        if record_read:
            record_event(uow.session, principal, "text", document_id=version.document_id,
                         version_id=version_id)
            uow.commit()
        return found


def version_states(ctx: Context, principal: Principal,
                   version_ids: Sequence[int]) -> list[VersionState]:
    """Ingestion state of each readable version among ``version_ids`` (others are left out)."""
    wanted = list(dict.fromkeys(version_ids))[:MAX_STATES]
    with ctx.uow() as uow:
        rows = readable_versions(uow.session, principal, wanted)
        return [VersionState(version_id=v.id, document_id=v.document_id, filename=v.filename,
                             state=v.state, reason=v.state_reason, progress=v.progress,
                             pages=v.page_count, category=v.document.category,
                             subtype=v.document.subtype,
                             category_suggested=v.document.category_suggested)
                for v in rows]
