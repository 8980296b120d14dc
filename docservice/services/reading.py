"""Read use cases behind the document page: details, version text, live states, hit facts.

Every function checks that the caller may read what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from docservice.db.models import Version
from docservice.domain import Principal, SearchHit, file_kind
from docservice.services import audit
from docservice.services.context import Context
from docservice.services.documents import get_document, get_version
from docservice.services.indexing import page_texts
from docservice.services.metadata import grants_view
from docservice.services.permissions import can_read, can_write
from docservice.services.views import document_view, version_view

MAX_STATES = 200


def document_details(ctx: Context, principal: Principal, document_id: int, *,
                     record_view: bool = True) -> dict[str, Any]:
    """The document, its versions newest first, grants and what the caller may do."""
    with ctx.uow() as uow:
        document = get_document(uow.session, principal, document_id)
        view = document_view(document)
        view["versions_list"] = [version_view(v) for v in
                                 sorted(document.versions, key=lambda v: -v.number)]
        view["grants"] = grants_view(uow.session, document)
        view["team_id"] = document.team_id
        view["review_by"] = document.review_by.isoformat() if document.review_by else None
        view["can_write"] = can_write(principal, document)
        view["can_manage"] = principal.is_admin or (
            document.owner_id is not None and document.owner_id == principal.user_id)
        customer = document.customer
        view["customer_id"] = customer.id if customer else None
        if record_view:
            audit.record(uow.session, principal, "view", document_id=document_id)
            uow.commit()
    return view


def versions(ctx: Context, principal: Principal, document_id: int) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        document = get_document(uow.session, principal, document_id)
        return [version_view(v) for v in sorted(document.versions, key=lambda v: -v.number)]


def version_details(ctx: Context, principal: Principal, version_id: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        return version_view(get_version(uow.session, principal, version_id))


def version_text(ctx: Context, principal: Principal,
                 version_id: int) -> tuple[dict[str, Any], list[str]]:
    """A version and its extracted text, one string per page."""
    with ctx.uow() as uow:
        version = get_version(uow.session, principal, version_id)
        return version_view(version), page_texts(uow.session, version_id)


def version_states(ctx: Context, principal: Principal,
                   version_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Ingestion state of each readable version among ``version_ids`` (others are left out)."""
    wanted = list(dict.fromkeys(version_ids))[:MAX_STATES]
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(Version).where(Version.id.in_(wanted)))
        return [{"version_id": v.id, "document_id": v.document_id, "filename": v.filename,
                 "state": v.state, "reason": v.state_reason, "progress": v.progress,
                 "pages": v.page_count, "category": v.document.category,
                 "subtype": v.document.subtype,
                 "category_suggested": v.document.category_suggested}
                for v in rows if can_read(principal, v.document)]


def hit_details(ctx: Context, principal: Principal,
                hits: Sequence[SearchHit]) -> dict[int, dict[str, Any]]:
    """Date, file type, customer and subtype of each readable hit, by version id."""
    details: dict[int, dict[str, Any]] = {}
    with ctx.uow() as uow:
        versions_by_id = {v.id: v for v in uow.session.scalars(
            select(Version).where(Version.id.in_([hit.version_id for hit in hits])))}
        for hit in hits:
            version = versions_by_id.get(hit.version_id)
            if version is None or not can_read(principal, version.document):
                continue
            customer = version.document.customer
            details[hit.version_id] = {
                "uploaded_at": version.uploaded_at.isoformat(),
                "file_type": file_kind(version.media_type),
                "customer": customer.name if customer else None,
                "customer_id": customer.id if customer else None,
                "subtype": version.document.subtype,
                "product": version.document.product}
    return details
