"""Plain dicts of documents and versions, as the CLI, API and pages show them."""

from __future__ import annotations

from typing import Any

from docservice.db.models import Document, Version
from docservice.domain import SearchHit, SearchResult, file_kind


def version_view(version: Version) -> dict[str, Any]:
    return {
        "document_id": version.document_id,
        "version_id": version.id,
        "version": version.number,
        "filename": version.filename,
        "title": version.document.title,
        "media_type": version.media_type,
        "file_type": file_kind(version.media_type),
        "size": version.size,
        "uploaded_at": version.uploaded_at.isoformat(),
        "uploader": version.uploader.email if version.uploader else None,
        "note": version.note,
        "state": version.state,
        "reason": version.state_reason,
        "progress": version.progress,
        "pages": version.page_count,
        "language": version.language,
        "is_latest": version.document.latest_version_id == version.id,
    }


def document_view(document: Document) -> dict[str, Any]:
    customer = document.customer
    return {
        "document_id": document.id,
        "title": document.title,
        "category": document.category,
        "subtype": document.subtype,
        "category_suggested": document.category_suggested,
        "product": document.product,
        "customer": customer.name if customer else None,
        "tags": document.tag_names,
        "owner": document.owner.email if document.owner else None,
        "team": document.team.name if document.team else None,
        "visibility": document.visibility,
        "status": document.status,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "latest_version_id": document.latest_version_id,
        "versions": len(document.versions),
        "created_at": document.created_at.isoformat(),
    }


def hit_view(hit: SearchHit) -> dict[str, Any]:
    return {
        "document_id": hit.document_id,
        "version_id": hit.version_id,
        "version": hit.version,
        "title": hit.title,
        "filename": hit.filename,
        "category": hit.category,
        "is_latest": hit.is_latest,
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
        "page": hit.page,
    }


def result_view(result: SearchResult) -> dict[str, Any]:
    return {"total": result.total, "hits": [hit_view(hit) for hit in result.hits],
            "facets": result.facets, "suggestion": result.suggestion}
