"""SearchIndex on Elasticsearch 9 or OpenSearch: one adapter over two small client shims.

Entries are analysed in Python (analysis.py) and indexed as whitespace-separated tokens
(``documents``); queries come from the same ``QueryPlan`` as the Tantivy adapter's
(``query``); the physical indices behind the alias are managed by ``lifecycle``. Every write
names an alias with ``require_alias``, so the engine never auto-creates an index with a
guessed mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from docservice.domain import IndexedVersion, IndexEntry, SearchQuery, SearchResult
from docservice.search.base import listed_limit
from docservice.search.elastic import documents
from docservice.search.elastic.client import Body, SearchClient
from docservice.search.elastic.lifecycle import MAPPING_FILE, IndexLayout
from docservice.search.elastic.query import facets, hit, search_body, total
from docservice.search.plan import Fetched, QueryPlan, Stage, run_stages


class ElasticIndex:
    """The SearchIndex port on an Elasticsearch or OpenSearch cluster reached via ``client``;
    ``prefix`` names this installation's indices (several may share a cluster)."""

    def __init__(self, client: SearchClient, prefix: str = "docservice", *,
                 mapping_file: Path = MAPPING_FILE) -> None:
        self.client = client
        self.layout = IndexLayout(client, prefix, mapping_file)
        self.alias = self.layout.alias

    def ensure(self) -> None:
        live = self.layout.live(self.layout.indices())
        if not live:
            self.layout.create_live_index()
        else:
            self.layout.require_current(live[0])

    def index(self, entries: Sequence[IndexEntry]) -> None:
        if not entries:
            return
        targets = self.layout.write_targets()
        for batch in documents.batches(entries):
            operations = [part for version_id, document in batch for target in targets
                          for part in documents.write("index", target, version_id, document)]
            documents.check_bulk(self.client.bulk(operations, refresh=True),
                                 ignore=self.layout.vanished)

    def delete_document(self, document_id: int) -> None:
        names = list(self.layout.indices())
        if names:
            self.client.delete_by_query(",".join(names), {"term": {"document_id": document_id}})

    def delete_versions(self, version_ids: Sequence[int]) -> None:
        if not version_ids:
            return
        operations = [{"delete": {"_index": target, "_id": version_id}}
                      for target in self.layout.write_targets() for version_id in version_ids]
        documents.check_bulk(self.client.bulk(operations, refresh=True),
                             ignore=lambda outcome: outcome.get("status") == 404)

    def entries_between(self, low: int, high: int) -> list[IndexedVersion]:
        if high <= low:
            return []
        found = self.client.search(self.alias, {
            "query": {"range": {"version_id": {"gte": low, "lt": high}}},
            "size": listed_limit(low, high), "track_total_hits": False,
            "_source": ["version_id", "document_id", "display.digest"]})
        return [documents.indexed_version(raw["_source"]) for raw in found["hits"]["hits"]]

    def search(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> SearchResult:
        plan = QueryPlan(query, acl_tokens)

        def fetch(stage: Stage, offset: int, limit: int) -> Fetched[Body]:
            found = self.client.search(self.alias, search_body(plan, stage, offset, limit))
            return ([hit(raw, plan.by_date) for raw in found["hits"]["hits"]], total(found),
                    found)

        staged, last = run_stages(plan, fetch)
        return SearchResult(total=staged.total, hits=staged.page(), facets=facets(last))

    def count(self) -> int:
        return self.client.count(self.alias)

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Fill a new physical index, swap the alias to it atomically, drop the old one."""
        layout = self.layout
        indices = layout.indices()
        live = layout.live(indices)
        layout.drop([name for name in indices if name not in live],
                    "left over by a failed rebuild")
        name, building = layout.create_building_index()
        try:
            for batch in documents.batches(entries):
                # "create": an entry written meanwhile by ``index`` is newer than the stream's
                operations = [part for version_id, document in batch
                              for part in documents.write("create", building, version_id,
                                                          document)]
                documents.check_bulk(self.client.bulk(operations, refresh=False),
                                     ignore=documents.conflict)
            self.client.refresh(name)
            layout.swap(live, name, building)
        except BaseException:
            layout.drop([name], "of the failed rebuild")
            raise
        layout.drop(live, "replaced by the rebuild")

    def check(self) -> None:
        self.client.ping()
        self.client.count(self.alias)
        live = self.layout.live(self.layout.indices())
        if live:
            self.layout.require_current(live[0])
