"""This installation's physical indices behind the search alias: create, check, swap, drop.

Layout: physical indices ``<prefix>-documents-v3-<timestamp>-<random>`` behind the alias
``<prefix>-documents``, which searches read. A rebuild fills a new physical index through its
own ``...-building`` alias, swaps the aliases in one ``_aliases`` call and then deletes the old
index; meanwhile writes go to both, so what a worker writes during a rebuild is kept.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from docservice.errors import SearchUnavailable
from docservice.search.elastic.client import Body, SearchClient

log = logging.getLogger(__name__)

# v2: token-pair twins of the text fields (plan.PAIRS); v3: the customer type (customertype)
MAPPING_VERSION = "v3"
MAPPING_FILE = Path(__file__).resolve().parents[3] / "index_mappings" / "documents.v3.json"
BUILDING = "-building"  # suffix of the alias of an index a rebuild is filling


class IndexLayout:
    """The physical indices named by ``prefix`` (several installations may share a cluster)."""

    def __init__(self, client: SearchClient, prefix: str, mapping_file: Path) -> None:
        self.client = client
        base = prefix.lower()  # index names are lower case
        self.alias = f"{base}-documents"
        self._pattern = f"{base}-documents-v*"
        self._owned = re.compile(rf"{re.escape(base)}-documents-v\d+-\d{{17}}-[0-9a-f]{{6}}")
        self._mapping_file = mapping_file

    def indices(self) -> dict[str, set[str]]:
        """This installation's physical indices with their aliases."""
        return {name: aliases for name, aliases in self.client.indices(self._pattern).items()
                if self._owned.fullmatch(name)}

    def live(self, indices: Mapping[str, set[str]]) -> list[str]:
        return sorted(name for name, aliases in indices.items() if self.alias in aliases)

    def require_current(self, name: str) -> None:
        """Raise when the live index has the layout of an older release (its phrases would
        find nothing): a rebuild (``docservice reindex``) makes a current one."""
        version = name[len(self.alias) + 1:].split("-", 1)[0]
        if version != MAPPING_VERSION:
            raise SearchUnavailable(f"search index {name} has the {version} layout of an older "
                                    f"docservice; run `docservice reindex` to rebuild it as "
                                    f"{MAPPING_VERSION}")

    def write_targets(self) -> list[str]:
        """The alias and the aliases of the indices a rebuild is filling; creates the live
        index if there is none."""
        indices = self.indices()
        if not self.live(indices):
            self.create_live_index()
            return [self.alias]
        return [self.alias, *sorted(alias for aliases in indices.values() for alias in aliases
                                    if alias.endswith(BUILDING))]

    def vanished(self, outcome: Body) -> bool:
        """A write to an index whose rebuild failed and deleted it meanwhile: nothing lost."""
        return outcome.get("status") == 404 and outcome.get("_index") != self.alias

    def create_live_index(self) -> None:
        self.client.create_index(self.new_name(), {**self.settings_and_mappings(),
                                                   "aliases": {self.alias: {}}})
        live = self.live(self.indices())
        # Two processes created one at the same moment: the older index stays.
        self.drop(live[1:], "created concurrently")

    def create_building_index(self) -> tuple[str, str]:
        """A new physical index for a rebuild, and the alias it is filled through."""
        name = self.new_name()
        building = name + BUILDING
        self.client.create_index(name, {**self.settings_and_mappings(),
                                        "aliases": {building: {}}})
        return name, building

    def swap(self, live: Sequence[str], name: str, building: str) -> None:
        """Make ``name`` the one index behind the alias, in one atomic call."""
        self.client.update_aliases([
            *({"remove": {"index": old, "alias": self.alias}} for old in live),
            {"remove": {"index": name, "alias": building}},
            {"add": {"index": name, "alias": self.alias}}])

    def new_name(self) -> str:
        now = time.time()
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        return f"{self.alias}-{MAPPING_VERSION}-{stamp}-{uuid.uuid4().hex[:6]}"

    def drop(self, names: Sequence[str], why: str) -> None:
        if not names:
            return
        try:
            self.client.delete_indices(names)
        except SearchUnavailable as exc:  # an index left behind costs space, not correctness
            log.warning("could not delete search index %s (%s): %s", names, why, exc.message)

    def settings_and_mappings(self) -> Body:
        try:
            body: Body = json.loads(self._mapping_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"index mapping {self._mapping_file} unreadable: {exc}"
                                    ) from exc
        return body
