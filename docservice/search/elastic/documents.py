"""IndexEntries as Elasticsearch/OpenSearch bulk writes, and the bulk responses checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from docservice.domain import IndexedVersion, IndexEntry
from docservice.errors import SearchUnavailable
from docservice.search.analysis import entry_fields
from docservice.search.elastic.client import Body
from docservice.search.plan import KEYWORD_FIELDS, PAIRS, TEXT_BOOSTS, pairs_text, utc

BULK_DOCS = 500
BULK_BYTES = 8_000_000
DOCUMENT_FIELDS = ("version_id", "document_id", "version", "is_latest", *TEXT_BOOSTS,
                   *KEYWORD_FIELDS, "acl", "year", "owner", "team")


def write(action: str, alias: str, version_id: int, document: Body) -> tuple[Body, Body]:
    return {action: {"_index": alias, "_id": version_id, "require_alias": True}}, document


def batches(entries: Iterable[IndexEntry]) -> Iterator[list[tuple[int, Body]]]:
    """Entries as (version id, document) in bulk-sized batches, analysed as they stream."""
    batch: list[tuple[int, Body]] = []
    size = 0
    for entry in entries:
        document = _document(entry)
        weight = 3 * sum(len(document[name].encode()) for name in TEXT_BOOSTS) + 1_000  # + pairs
        if batch and (len(batch) >= BULK_DOCS or size + weight > BULK_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((entry.version_id, document))
        size += weight
    if batch:
        yield batch


def _document(entry: IndexEntry) -> Body:
    fields = entry_fields(entry)
    document = {name: getattr(fields, name) for name in DOCUMENT_FIELDS}
    document.update((name + PAIRS, pairs_text(document[name])) for name in TEXT_BOOSTS)
    document["uploaded_at"] = utc(fields.uploaded_at).isoformat()
    document["expires_on"] = None if fields.expires_on is None else utc(
        fields.expires_on).isoformat()
    document["display"] = {"title": fields.display_title, "filename": fields.display_filename,
                           "category": fields.display_category, "digest": fields.digest}
    return document


def indexed_version(source: Body) -> IndexedVersion:
    return IndexedVersion(version_id=int(source["version_id"]),
                          document_id=int(source["document_id"]),
                          digest=source.get("display", {}).get("digest"))


def check_bulk(response: Body, *, ignore: Callable[[Body], bool]) -> None:
    """Raise for the first refused item that ``ignore`` does not expect."""
    if not response.get("errors"):
        return
    for item in response.get("items", []):
        outcome = next(iter(item.values()))
        if "error" in outcome and not ignore(outcome):
            raise SearchUnavailable(f"search engine refused entry {outcome.get('_id')} of "
                                    f"{outcome.get('_index')}: {outcome['error']}")


def conflict(outcome: Body) -> bool:
    return bool(outcome.get("status") == 409)
