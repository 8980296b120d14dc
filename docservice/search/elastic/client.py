"""The few Elasticsearch/OpenSearch calls the adapter needs, behind one small protocol.

The only differences between the engines (call style and exception types) live in
``ElasticsearchClient`` and ``OpenSearchClient``; every engine or network error leaves them as
SearchUnavailable. Requests and responses are plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from docservice.errors import ConfigError, SearchUnavailable

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from opensearchpy import OpenSearch

REQUEST_TIMEOUT = 30.0

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
