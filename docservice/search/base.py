"""The SearchIndex port: full-text search over one entry per document version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from docservice.domain import IndexEntry, SearchQuery, SearchResult


class SearchIndex(Protocol):
    def ensure(self) -> None:
        """Create the index if it does not exist. Raises SearchUnavailable."""

    def index(self, entries: Sequence[IndexEntry]) -> None:
        """Add or replace entries (keyed by version id); visible to search on return."""

    def delete_document(self, document_id: int) -> None:
        """Remove every entry of a document."""

    def search(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> SearchResult:
        """Hits for ``query`` readable by a caller holding ``acl_tokens`` (None: all).

        Hits carry ids, score, version, title, file name, category and is_latest; snippet
        and page are left for the service to fill from the stored text. Facet counts cover
        only readable entries. Unless ``query.all_versions``, only latest versions match.
        Raises SearchUnavailable.
        """

    def count(self) -> int:
        """Number of entries (all versions)."""

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Replace the whole index with ``entries`` (streamed); searches keep working meanwhile."""

    def check(self) -> None:
        """Raise SearchUnavailable if the index cannot be used right now."""
