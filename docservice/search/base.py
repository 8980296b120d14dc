"""The SearchIndex port: full-text search over one entry per document version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from docservice.domain import IndexedVersion, IndexEntry, SearchQuery, SearchResult

LISTED_MAX = 10_000  # entries_between lists at most this many (the engines' result window)


def listed_limit(low: int, high: int) -> int:
    """How many entries to ask for in [low, high): room for every version twice."""
    return max(1, min(2 * (high - low), LISTED_MAX))


class SearchIndex(Protocol):
    def ensure(self) -> None:
        """Create the index if it does not exist. Raises SearchUnavailable."""

    def index(self, entries: Sequence[IndexEntry]) -> None:
        """Add or replace entries (keyed by version id); visible to search on return."""

    def delete_document(self, document_id: int) -> None:
        """Remove every entry of a document."""

    def delete_versions(self, version_ids: Sequence[int]) -> None:
        """Remove the entries of these versions (missing ones are no error)."""

    def entries_between(self, low: int, high: int) -> list[IndexedVersion]:
        """The live index's entries with ``low <= version_id < high``, in no order; a version
        held twice is listed twice; at most LISTED_MAX. For the integrity check, which walks
        the index in ranges of ids. Raises SearchUnavailable."""

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
