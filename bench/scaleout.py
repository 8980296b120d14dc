"""The scale-out search engine (OpenSearch standing in for Elasticsearch 9) in the search
benchmark, when ``DOCSERVICE_BENCH_SCALE_OUT=1`` and the product's adapter imports.

The engine's URL and kind come from the environment (``eval "$(bash deploy/local/
services-env.sh)"``) or else from that script's output. The benchmark's index lives under a
prefix of its own (``bench-<random>``) and is deleted at the end, so the servers' other users
are left alone. Metadata stays in the benchmark's own SQLite database (the scale-out tier's
PostgreSQL is shared with the test suites): the figure is the search engine's, not the
database's.

Two engines are measured: our service layer on the scale-out index (viewer, ACL on, facets,
snippets), and the raw engine answering the very requests the adapter sent for that query
(recorded at its client: the same query, ACL filter, facet aggregations, follow-up stages),
timed at the client, without our layer. The service must run each query first: the
benchmark's warm-up does.
"""

from __future__ import annotations

import base64
import copy
import importlib
import logging
import os
import subprocess
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.domain import Principal
from docservice.errors import DocserviceError
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.indexing import rebuild_index

ADAPTER = "docservice.search.elastic"
ENV_SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "local" / "services-env.sh"
SERVICE = "scale-out service layer, viewer (ACL)"
RAW = "raw OpenSearch/Elasticsearch (same requests)"
SETTLE_TIMEOUT_S = 900

Runner = Callable[[str, int], int]
log = logging.getLogger(__name__)


@dataclass
class ScaleOut:
    runners: dict[str, Runner]
    build_s: float
    engine: str


def search_status() -> str | None:
    """None when the scale-out tier can be measured; else the reason it is not."""
    if os.environ.get("DOCSERVICE_BENCH_SCALE_OUT") != "1":
        return ("not measured: set DOCSERVICE_BENCH_SCALE_OUT=1 after `bash deploy/local/"
                "services-up.sh` to include it")
    try:
        importlib.import_module(ADAPTER)
    except ImportError as exc:
        return f"not measured: the adapter {ADAPTER} does not import ({exc})"
    return None


def _engine_settings() -> dict[str, str]:
    wanted = ("DOCSERVICE_SEARCH_BACKEND", "DOCSERVICE_ELASTICSEARCH_URL")
    found = {name: os.environ[name] for name in wanted if os.environ.get(name)}
    if len(found) < len(wanted):
        printed = subprocess.run(["bash", str(ENV_SCRIPT)], capture_output=True, text=True,
                                 check=True, timeout=60).stdout
        for line in printed.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            if name in wanted:
                found.setdefault(name, value.strip().strip("'\""))
    return {"search_backend": found["DOCSERVICE_SEARCH_BACKEND"],
            "elasticsearch_url": found["DOCSERVICE_ELASTICSEARCH_URL"]}


@contextmanager
def scale_out_search(data_dir: Path, viewer: Principal, timed: Callable[[Callable[[], object]],
                                                                          float],
                     ) -> Iterator[ScaleOut]:
    """The benchmark's database indexed into the scale-out engine; runners for both engines.

    Raises DocserviceError (SearchUnavailable) when the engine does not answer."""
    settings = load_settings(environ={}, data_dir=data_dir,
                             index_prefix=f"bench-{uuid.uuid4().hex[:8]}", **_engine_settings())
    ctx = bootstrap(settings, migrate=False)
    try:
        ctx.index.check()
    except DocserviceError:
        ctx.close()  # nothing was created on an engine that does not answer
        raise
    try:
        build_s = timed(lambda: rebuild_index(ctx))
        _settle(settings.elasticsearch_url, ctx)
        yield ScaleOut(_runners(ctx, viewer), build_s, settings.search_backend)
    finally:
        _drop_indices(ctx)
        ctx.close()


class _RecordingClient:
    """The adapter's client, keeping the search requests of the latest service call."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((index, copy.deepcopy(body)))
        found: dict[str, Any] = self.client.search(index, body)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def _runners(ctx: Context, viewer: Principal) -> dict[str, Runner]:
    """Our service layer, and the raw engine replaying the very requests the adapter sent
    for the same query (recorded on the service's first, warm-up call of each query)."""
    index: Any = ctx.index
    recorder = _RecordingClient(index.client)
    index.client = recorder
    sent: dict[tuple[str, int], list[tuple[str, dict[str, Any]]]] = {}

    def service(raw: str, offset: int) -> int:
        recorder.requests = []
        total = search_service.search(ctx, viewer, raw, offset=offset).total
        sent.setdefault((raw, offset), recorder.requests)
        return total

    def engine(raw: str, offset: int) -> int:
        found: dict[str, Any] = {}
        for name, body in sent[(raw, offset)]:
            found = recorder.client.search(name, body)
        return int(found.get("hits", {}).get("total", {}).get("value", 0))

    return {SERVICE: service, RAW: engine}


def _settle(url: str, ctx: Context) -> None:
    """Merge the fresh index into one segment and wait: the engine's background merges after a
    bulk load would otherwise take a core from every engine during the query loop (the
    Tantivy rebuild waits for its merges too)."""
    parts = urllib.parse.urlsplit(url)
    target = parts._replace(netloc=parts.netloc.rpartition("@")[2],
                            path=f"{parts.path.rstrip('/')}/{ctx.settings.index_prefix}"
                                 "-documents/_forcemerge",
                            query="max_num_segments=1")
    request = urllib.request.Request(urllib.parse.urlunsplit(target), method="POST")
    if parts.username:
        login = ":".join(urllib.parse.unquote(part or "") for part in (parts.username,
                                                                       parts.password))
        request.add_header("Authorization", "Basic " + base64.b64encode(login.encode()).decode())
    with urllib.request.urlopen(request, timeout=SETTLE_TIMEOUT_S) as answer:
        answer.read()


def _drop_indices(ctx: Context) -> None:
    index: Any = ctx.index
    try:
        names = list(index.client.indices(f"{ctx.settings.index_prefix}-documents-v*"))
        if names:
            index.client.delete_indices(names)
    except DocserviceError as exc:  # the engine went away: say what is left behind
        log.warning("benchmark indices %s-documents-v* not deleted: %s",
                    ctx.settings.index_prefix, exc)
