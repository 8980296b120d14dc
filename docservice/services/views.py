"""Search hits and results as the CLI, API and pages show them."""

from __future__ import annotations

from typing import Any

from docservice.domain import SearchHit, SearchResult


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
