"""SearchIndex on Elasticsearch 9 or OpenSearch: one adapter, two small client shims.

Entries are analysed in Python (analysis.py) and indexed as whitespace-separated tokens, and
queries are built from the same ``QueryPlan`` as the Tantivy adapter's, so every engine sees
the same terms and ranks alike. Requests and responses are plain dicts; the only difference
between the engines (call style and exception types) lives in ``ElasticsearchClient`` and
``OpenSearchClient``, and every engine or network error leaves them as SearchUnavailable.

Layout: physical indices ``<prefix>-documents-v2-<timestamp>-<random>`` behind the alias
``<prefix>-documents``, which searches read. ``rebuild`` fills a new physical index through
its own ``...-building`` alias, swaps the aliases in one ``_aliases`` call and then deletes the
old index; meanwhile ``index`` and ``delete_document`` write to both, so what a worker writes
during a rebuild is kept. Every write names an alias with ``require_alias``, so the engine
never auto-creates an index with a guessed mapping.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from docservice.domain import FACET_FIELDS, IndexEntry, SearchHit, SearchQuery, SearchResult
from docservice.errors import ConfigError, SearchUnavailable
from docservice.search.analysis import entry_fields
from docservice.search.plan import (
    ALTERNATIVE_TIE_BREAKER,
    FACET_SIZE,
    KEYWORD_FIELDS,
    KIND_SCORE,
    LATEST_BONUS,
    NEARBY_FIELDS,
    PAIRS,
    TEXT_BOOSTS,
    VARIANT_WEIGHT,
    YEAR_SCORE,
    Fetched,
    QueryPlan,
    Stage,
    facet_key,
    pairs_text,
    run_stages,
    token_pairs,
    utc,
)
from docservice.search.query import Clause, TokenRun

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from opensearchpy import OpenSearch

log = logging.getLogger(__name__)

MAPPING_VERSION = "v2"  # v2: token-pair twins of the text fields (plan.PAIRS)
MAPPING_FILE = Path(__file__).resolve().parents[2] / "index_mappings" / "documents.v2.json"
# Tantivy's BM25 keeps the (k1 + 1) factor that Lucene dropped in 8.0; scaling the text
# boosts by it makes both engines score text alike against the constant year/latest scores.
BM25_SCALE = 2.2
BULK_DOCS = 500
BULK_BYTES = 8_000_000
REQUEST_TIMEOUT = 30.0
BUILDING = "-building"  # suffix of the alias of an index a rebuild is filling
DOCUMENT_FIELDS = ("version_id", "document_id", "version", "is_latest", *TEXT_BOOSTS,
                   *KEYWORD_FIELDS, "acl", "year", "owner", "team")
SOURCE_FIELDS = ["document_id", "version_id", "version", "is_latest", "display"]

Body = dict[str, Any]


class SearchClient(Protocol):
    """The few engine calls the adapter needs; every failure is raised as SearchUnavailable."""

    def ping(self) -> None:
        """Raise SearchUnavailable unless the engine answers."""

    def indices(self, pattern: str) -> dict[str, set[str]]:
        """Physical indices matching ``pattern`` with their aliases ({} when none)."""

    def create_index(self, name: str, body: Mapping[str, Any]) -> None:
        """Create index ``name`` from settings, mappings and optional aliases."""

    def delete_indices(self, names: Sequence[str]) -> None:
        """Delete the indices ``names`` (missing ones are ignored)."""

    def update_aliases(self, actions: list[Body]) -> None:
        """Apply alias actions atomically (all or none)."""

    def bulk(self, operations: list[Body], *, refresh: bool) -> Body:
        """Send bulk operations; the response lists each item's outcome."""

    def search(self, index: str, body: Body) -> Body:
        """Run a search request body against ``index``."""

    def count(self, index: str) -> int:
        """Number of documents in ``index``."""

    def refresh(self, index: str) -> None:
        """Make everything written to ``index`` searchable."""

    def delete_by_query(self, index: str, query: Body) -> None:
        """Delete the documents of ``index`` matching ``query``, visible on return."""


class _EngineClient:
    """Error translation shared by the shims: engine exceptions become SearchUnavailable."""

    errors: tuple[type[Exception], ...] = ()

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)  # shown in errors without any user:password
        self._shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.netloc else url

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        try:
            yield
        except self.errors as exc:
            raise SearchUnavailable(f"search engine at {self._shown}: {action} failed: "
                                    f"{str(exc)[:300]}") from exc


class ElasticsearchClient(_EngineClient):
    """Elasticsearch 9 through the official client (keyword arguments, ApiError)."""

    def __init__(self, url: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

        super().__init__(url)
        self.errors = (ApiError, TransportError)
        self._not_found = NotFoundError
        try:
            self._es: Elasticsearch = Elasticsearch(url, request_timeout=timeout, max_retries=1)
        except ValueError as exc:
            raise ConfigError(f"search engine URL {url!r} is invalid: {exc}") from exc

    def ping(self) -> None:
        with self._translated("ping"):
            self._es.info()

    def indices(self, pattern: str) -> dict[str, set[str]]:
        with self._translated("listing indices"):
            try:
                found = self._es.indices.get_alias(index=pattern).body
            except self._not_found:
                return {}
        return {name: set(info.get("aliases", {})) for name, info in found.items()}

    def create_index(self, name: str, body: Mapping[str, Any]) -> None:
        with self._translated(f"creating index {name}"):
            self._es.indices.create(index=name, settings=body["settings"],
                                    mappings=body["mappings"], aliases=body.get("aliases"))

    def delete_indices(self, names: Sequence[str]) -> None:
        for name in names:  # one by one: one missing name fails a whole request
            with self._translated(f"deleting {name}"), suppress(self._not_found):
                self._es.indices.delete(index=name)

    def update_aliases(self, actions: list[Body]) -> None:
        with self._translated("updating aliases"):
            self._es.indices.update_aliases(actions=actions)

    def bulk(self, operations: list[Body], *, refresh: bool) -> Body:
        with self._translated("bulk indexing"):
            return self._es.bulk(operations=operations, refresh=refresh).body

    def search(self, index: str, body: Body) -> Body:
        keywords = {_KEYWORDS.get(key, key): value for key, value in body.items()}
        with self._translated("search"):
            return self._es.search(index=index, **keywords).body

    def count(self, index: str) -> int:
        with self._translated("count"):
            return int(self._es.count(index=index)["count"])

    def refresh(self, index: str) -> None:
        with self._translated("refresh"):
            self._es.indices.refresh(index=index)

    def delete_by_query(self, index: str, query: Body) -> None:
        with self._translated("delete by query"):
            self._es.delete_by_query(index=index, query=query, refresh=True,
                                     ignore_unavailable=True)


_KEYWORDS = {"from": "from_", "_source": "source"}  # body keys the ES client renames


class OpenSearchClient(_EngineClient):
    """OpenSearch through opensearch-py (request bodies as ``body=``, OpenSearchException)."""

    def __init__(self, url: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        from opensearchpy import NotFoundError, OpenSearch, OpenSearchException

        super().__init__(url)
        self.errors = (OpenSearchException,)
        self._not_found = NotFoundError
        self._os: OpenSearch = OpenSearch(hosts=[url], timeout=timeout, max_retries=1)

    def ping(self) -> None:
        with self._translated("ping"):
            self._os.info()

    def indices(self, pattern: str) -> dict[str, set[str]]:
        with self._translated("listing indices"):
            try:
                found = self._os.indices.get_alias(index=pattern)
            except self._not_found:
                return {}
        return {name: set(info.get("aliases", {})) for name, info in found.items()}

    def create_index(self, name: str, body: Mapping[str, Any]) -> None:
        with self._translated(f"creating index {name}"):
            self._os.indices.create(index=name, body=dict(body))

    def delete_indices(self, names: Sequence[str]) -> None:
        for name in names:  # one by one: one missing name fails a whole request
            with self._translated(f"deleting {name}"), suppress(self._not_found):
                self._os.indices.delete(index=name)

    def update_aliases(self, actions: list[Body]) -> None:
        with self._translated("updating aliases"):
            self._os.indices.update_aliases(body={"actions": actions})

    def bulk(self, operations: list[Body], *, refresh: bool) -> Body:
        with self._translated("bulk indexing"):
            return dict(self._os.bulk(body=operations, refresh=refresh))

    def search(self, index: str, body: Body) -> Body:
        with self._translated("search"):
            return dict(self._os.search(index=index, body=body))

    def count(self, index: str) -> int:
        with self._translated("count"):
            return int(self._os.count(index=index)["count"])

    def refresh(self, index: str) -> None:
        with self._translated("refresh"):
            self._os.indices.refresh(index=index)

    def delete_by_query(self, index: str, query: Body) -> None:
        with self._translated("delete by query"):
            self._os.delete_by_query(index=index, body={"query": query}, refresh=True,
                                     ignore_unavailable=True)


class ElasticIndex:
    """The SearchIndex port on an Elasticsearch or OpenSearch cluster reached via ``client``;
    ``prefix`` names this installation's indices (several may share a cluster)."""

    def __init__(self, client: SearchClient, prefix: str = "docservice", *,
                 mapping_file: Path = MAPPING_FILE) -> None:
        self.client = client
        base = prefix.lower()  # index names are lower case
        self.alias = f"{base}-documents"
        self._pattern = f"{base}-documents-v*"
        self._owned = re.compile(rf"{re.escape(base)}-documents-v\d+-\d{{17}}-[0-9a-f]{{6}}")
        self._mapping_file = mapping_file

    # -- SearchIndex ------------------------------------------------------------------------

    def ensure(self) -> None:
        live = self._live(self._layout())
        if not live:
            self._create_live_index()
        else:
            self._require_current(live[0])

    def index(self, entries: Sequence[IndexEntry]) -> None:
        if not entries:
            return
        targets = [self.alias, *self._building_aliases()]
        for batch in _batches(entries):
            operations = [part for version_id, document in batch for target in targets
                          for part in _write("index", target, version_id, document)]
            _check_bulk(self.client.bulk(operations, refresh=True), ignore=self._vanished)

    def delete_document(self, document_id: int) -> None:
        names = list(self._layout())
        if names:
            self.client.delete_by_query(",".join(names), {"term": {"document_id": document_id}})

    def search(self, query: SearchQuery, acl_tokens: Sequence[str] | None) -> SearchResult:
        plan = QueryPlan(query, acl_tokens)

        def fetch(stage: Stage, offset: int, limit: int) -> Fetched[Body]:
            found = self.client.search(self.alias, search_body(plan, stage, offset, limit))
            return ([_hit(raw, plan.by_date) for raw in found["hits"]["hits"]], _total(found),
                    found)

        staged, last = run_stages(plan, fetch)
        return SearchResult(total=staged.total, hits=staged.page(), facets=_facets(last))

    def count(self) -> int:
        return self.client.count(self.alias)

    def rebuild(self, entries: Iterable[IndexEntry]) -> None:
        """Fill a new physical index, swap the alias to it atomically, drop the old one."""
        layout = self._layout()
        live = self._live(layout)
        self._drop([name for name in layout if name not in live], "left over by a failed rebuild")
        name = self._new_name()
        building = name + BUILDING
        self.client.create_index(name, {**self._settings_and_mappings(),
                                        "aliases": {building: {}}})
        try:
            for batch in _batches(entries):
                # "create": an entry written meanwhile by ``index`` is newer than the stream's
                operations = [part for version_id, document in batch
                              for part in _write("create", building, version_id, document)]
                _check_bulk(self.client.bulk(operations, refresh=False), ignore=_conflict)
            self.client.refresh(name)
            self.client.update_aliases([
                *({"remove": {"index": old, "alias": self.alias}} for old in live),
                {"remove": {"index": name, "alias": building}},
                {"add": {"index": name, "alias": self.alias}}])
        except BaseException:
            self._drop([name], "of the failed rebuild")
            raise
        self._drop(live, "replaced by the rebuild")

    def check(self) -> None:
        self.client.ping()
        self.client.count(self.alias)
        live = self._live(self._layout())
        if live:
            self._require_current(live[0])

    # -- physical indices -------------------------------------------------------------------

    def _layout(self) -> dict[str, set[str]]:
        """This installation's physical indices with their aliases."""
        return {name: aliases for name, aliases in self.client.indices(self._pattern).items()
                if self._owned.fullmatch(name)}

    def _live(self, layout: Mapping[str, set[str]]) -> list[str]:
        return sorted(name for name, aliases in layout.items() if self.alias in aliases)

    def _require_current(self, name: str) -> None:
        """Raise when the live index has the layout of an older release (its phrases would
        find nothing): ``rebuild`` (``docservice reindex``) makes a current one."""
        version = name[len(self.alias) + 1:].split("-", 1)[0]
        if version != MAPPING_VERSION:
            raise SearchUnavailable(f"search index {name} has the {version} layout of an older "
                                    f"docservice; run `docservice reindex` to rebuild it as "
                                    f"{MAPPING_VERSION}")

    def _building_aliases(self) -> list[str]:
        """Aliases of the indices a rebuild is filling; creates the live index if there is none."""
        layout = self._layout()
        if not self._live(layout):
            self._create_live_index()
            return []
        return sorted(alias for aliases in layout.values() for alias in aliases
                      if alias.endswith(BUILDING))

    def _vanished(self, outcome: Body) -> bool:
        """A write to an index whose rebuild failed and deleted it meanwhile: nothing lost."""
        return outcome.get("status") == 404 and outcome.get("_index") != self.alias

    def _create_live_index(self) -> None:
        body = {**self._settings_and_mappings(), "aliases": {self.alias: {}}}
        self.client.create_index(self._new_name(), body)
        live = self._live(self._layout())
        # Two processes created one at the same moment: the older index stays.
        self._drop(live[1:], "created concurrently")

    def _new_name(self) -> str:
        now = time.time()
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        return f"{self.alias}-{MAPPING_VERSION}-{stamp}-{uuid.uuid4().hex[:6]}"

    def _drop(self, names: Sequence[str], why: str) -> None:
        if not names:
            return
        try:
            self.client.delete_indices(names)
        except SearchUnavailable as exc:  # an index left behind costs space, not correctness
            log.warning("could not delete search index %s (%s): %s", names, why, exc.message)

    def _settings_and_mappings(self) -> Body:
        try:
            body: Body = json.loads(self._mapping_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"index mapping {self._mapping_file} unreadable: {exc}"
                                    ) from exc
        return body


# -- requests -------------------------------------------------------------------------------

def search_body(plan: QueryPlan, stage: Stage, offset: int = 0, limit: int | None = None
                ) -> Body:
    """The search request for ``plan`` at ``stage`` (hits ``offset`` on, ``limit`` of them;
    default: the page and all before it): hits, total and facets in one round trip."""
    body: Body = {
        "query": _query(plan, stage), "from": offset,
        "size": plan.window if limit is None else limit,
        "track_total_hits": True, "_source": SOURCE_FIELDS,
        "aggs": {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}}
    if plan.by_date:
        body["sort"] = [{"uploaded_at": {"order": "desc"}}]
    return body


def _query(plan: QueryPlan, stage: Stage) -> Body:
    clauses = [_clause(plan, clause) for clause in stage.clauses]
    must = clauses if stage.every or not clauses else [_any_of(clauses)]
    filters: list[Body] = [{"terms": {name: wanted}}
                           for name, wanted in plan.filter_values().items()]
    latest = {"term": {"is_latest": True}}
    should: list[Body] = [_text_match(run, field, weight * TEXT_BOOSTS[field] * BM25_SCALE, slop)
                          for run, slop, weight in stage.bonus_runs for field in NEARBY_FIELDS]
    if plan.query.all_versions:
        should.append({"constant_score": {"filter": latest, "boost": LATEST_BONUS}})
    else:
        filters.append(latest)
    if plan.acl_tokens is not None:  # no tokens: nothing is readable
        filters.append({"terms": {"acl": list(plan.acl_tokens)}} if plan.acl_tokens
                       else {"match_none": {}})
    excluded = [_text_match(run, field, 1.0) for run in plan.excluded for field in TEXT_BOOSTS]
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters, "should": should,
                     "must_not": excluded}}


def _clause(plan: QueryPlan, clause: Clause) -> Body:
    """The clause's best alternative (typed, synonym or typo variant) plus the constant
    scores of the year and the file kind it names."""
    best = [_any_of([_text_match(run, field, boost * BM25_SCALE)
                     for run, field, boost in alternative])
            for alternative in plan.alternatives(clause)]
    if clause.variants:
        best.append(_any_of([
            {"constant_score": {"filter": {"terms": {field: list(clause.variants)}},
                                "boost": VARIANT_WEIGHT * boost}}
            for field, boost in TEXT_BOOSTS.items()]))
    options = [best[0] if len(best) == 1 else
               {"dis_max": {"queries": best, "tie_breaker": ALTERNATIVE_TIE_BREAKER}}]
    if clause.year is not None:
        options.append({"constant_score": {"filter": {"term": {"year": clause.year}},
                                           "boost": YEAR_SCORE}})
    if clause.kinds:
        options.append({"constant_score": {"filter": {"terms": {"type": list(clause.kinds)}},
                                           "boost": KIND_SCORE}})
    return _any_of(options)


def _text_match(run: TokenRun, field: str, boost: float, slop: int = 0) -> Body:
    """``run`` as a term or phrase in ``field``; an exact phrase in the pairs twin."""
    if len(run) == 1:
        return {"term": {field: {"value": run[0], "boost": boost}}}
    if not slop:
        field, run = field + PAIRS, tuple(token_pairs(run))
        if len(run) == 1:
            return {"term": {field: {"value": run[0], "boost": boost}}}
    # The whitespace analyzer splits the joined tokens back into exactly ``run``.
    phrase: Body = {"query": " ".join(run), "boost": boost}
    if slop:
        phrase["slop"] = slop
    return {"match_phrase": {field: phrase}}


def _any_of(queries: list[Body]) -> Body:
    return queries[0] if len(queries) == 1 else {"bool": {"should": queries}}


def _write(action: str, alias: str, version_id: int, document: Body) -> tuple[Body, Body]:
    return {action: {"_index": alias, "_id": version_id, "require_alias": True}}, document


def _batches(entries: Iterable[IndexEntry]) -> Iterator[list[tuple[int, Body]]]:
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
                           "category": fields.display_category}
    return document


# -- responses ------------------------------------------------------------------------------

def _check_bulk(response: Body, *, ignore: Callable[[Body], bool]) -> None:
    """Raise for the first refused item that ``ignore`` does not expect."""
    if not response.get("errors"):
        return
    for item in response.get("items", []):
        outcome = next(iter(item.values()))
        if "error" in outcome and not ignore(outcome):
            raise SearchUnavailable(f"search engine refused entry {outcome.get('_id')} of "
                                    f"{outcome.get('_index')}: {outcome['error']}")


def _conflict(outcome: Body) -> bool:
    return bool(outcome.get("status") == 409)


def _total(found: Body) -> int:
    return int(found["hits"]["total"]["value"])


def _facets(found: Body) -> dict[str, dict[str, int]]:
    aggregations = found.get("aggregations", {})
    return {name: {facet_key(bucket["key"]): int(bucket["doc_count"])
                   for bucket in aggregations.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS}


def _hit(raw: Body, by_date: bool) -> SearchHit:
    source, display = raw["_source"], raw["_source"]["display"]
    return SearchHit(document_id=int(source["document_id"]),
                     version_id=int(source["version_id"]),
                     score=0.0 if by_date else float(raw["_score"] or 0.0),
                     version=int(source["version"]), title=display["title"],
                     filename=display["filename"], category=display["category"],
                     is_latest=bool(source["is_latest"]))
