"""One contract for every SearchIndex adapter, written against the port only.

A new adapter joins by adding its name to ``ADAPTERS`` and a branch to ``make_search_index``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from docservice.domain import IndexEntry, SearchResult
from docservice.errors import IndexBusy, SearchUnavailable
from docservice.search.base import SearchIndex
from docservice.search.plan import TIER
from docservice.search.query import parse_query
from tests.services import scale_out, service_env

if TYPE_CHECKING:
    from docservice.search.elastic import OpenSearchClient

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ["tantivy", scale_out("opensearch")]
ORG = ["org"]


def make_search_index(name: str, location: Path) -> SearchIndex:
    """The adapter ``name`` on storage derived from ``location`` (also used by subprocesses)."""
    if name == "tantivy":
        from docservice.search.tantivy import TantivyIndex

        return TantivyIndex(location)
    if name == "opensearch":
        from docservice.search.elastic import ElasticIndex

        return ElasticIndex(opensearch_client(), prefix=index_prefix(location))
    raise ValueError(f"unknown search adapter {name}")


def drop_search_index(name: str, location: Path) -> None:
    """Remove what ``make_search_index`` stored on a shared server (every ``<prefix>-*``)."""
    if name == "opensearch":
        client = opensearch_client()
        client.delete_indices(sorted(client.indices(f"{index_prefix(location)}-*")))


def opensearch_client() -> OpenSearchClient:
    from docservice.search.elastic import OpenSearchClient

    return OpenSearchClient(service_env()["DOCSERVICE_ELASTICSEARCH_URL"])


def index_prefix(location: Path) -> str:
    """A prefix of this test's own, the same in every process given the same location."""
    return "test-" + hashlib.sha1(str(location).encode()).hexdigest()[:12]


@pytest.fixture(params=ADAPTERS)
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    index = make_search_index(request.param, tmp_path / "index")
    index.ensure()
    yield index
    drop_search_index(request.param, tmp_path / "index")


_ids = itertools.count(1)


def entry(title: str = "Untitled", *pages: str, **overrides: object) -> IndexEntry:
    """An index entry of a new document (pass document_id/version to make versions)."""
    version_id = next(_ids)
    values: dict[str, object] = dict(
        version_id=version_id, document_id=version_id, version=1, is_latest=True, title=title,
        filename=f"{title.lower().replace(' ', '_')}.pdf", pages=list(pages) or ["(empty)"],
        category="product", subtype=None, tags=[], product=None, customer=None,
        customer_industry=None, customer_region=None, customer_stage=None,
        media_type="application/pdf", years=[], uploaded_at=datetime(2024, 1, 1),
        owner_id=1, team_id=1, status="active", acl=["org"])
    values.update(overrides)
    return IndexEntry(**values)  # type: ignore[arg-type]


def find(index: SearchIndex, raw: str, acl: Sequence[str] | None = ORG,
         **options: object) -> SearchResult:
    return index.search(parse_query(raw, **options), acl)  # type: ignore[arg-type]


def titles(result: SearchResult) -> list[str]:
    return [hit.title for hit in result.hits]


# -- finding words ------------------------------------------------------------------------

def test_a_plural_finds_the_singular(search_index: SearchIndex) -> None:
    search_index.index([entry("Acme deal", "This contract is binding."), entry("Other")])
    assert titles(find(search_index, "contracts")) == ["Acme deal"]


def test_chinese_words_inside_longer_text_in_either_script(search_index: SearchIndex) -> None:
    search_index.index([entry("报价", "本文件为产品价格表，有效期一年。"),
                        entry("手册", "安装说明")])
    assert titles(find(search_index, "价格表")) == ["报价"]
    assert titles(find(search_index, "價格表")) == ["报价"]


def test_hits_carry_what_the_result_page_shows(search_index: SearchIndex) -> None:
    item = entry("Router Manual", "setup", version=3, category="product")
    search_index.index([item])
    [hit] = find(search_index, "router").hits
    assert (hit.document_id, hit.version_id, hit.version) == (item.document_id,
                                                              item.version_id, 3)
    assert (hit.title, hit.filename, hit.category, hit.is_latest) == (
        "Router Manual", "router_manual.pdf", "product", True)
    assert hit.score > 0


def test_title_outranks_body(search_index: SearchIndex) -> None:
    search_index.index([entry("Installation notes", "Mount the router, then connect the router "
                              "to power; the router starts.", filename="a.pdf"),
                        entry("Router overview", "Mounting and setup of the device.",
                              filename="b.pdf")])
    assert titles(find(search_index, "router")) == ["Router overview", "Installation notes"]


def test_entries_with_every_word_come_first(search_index: SearchIndex) -> None:
    search_index.index([entry("Router warranty", "five years"), entry("Router setup", "cables")])
    # Only one entry has every word: entries with some of them follow it.
    assert titles(find(search_index, "router warranty")) == ["Router warranty", "Router setup"]
    # Nothing has every word: entries with any of them are better than nothing.
    assert titles(find(search_index, "router xylophone")) != []


def test_when_enough_entries_have_every_word_the_others_stay_out(
        search_index: SearchIndex) -> None:
    search_index.index([entry(f"Router warranty {region}", "five years")
                        for region in ("EU", "UK", "CN")] + [entry("Router setup", "cables")])
    assert sorted(titles(find(search_index, "router warranty"))) == [
        "Router warranty CN", "Router warranty EU", "Router warranty UK"]


def test_a_phrase_match_ranks_first(search_index: SearchIndex) -> None:
    # A is shorter: by the words alone it would rank first.
    search_index.index([entry("A", "Contract not signed."),
                        entry("B", "Attached to this mail is the signed contract for Acme.")])
    assert sorted(titles(find(search_index, "signed contract"))) == ["A", "B"]
    assert titles(find(search_index, '"signed contract"')) == ["B", "A"]


def test_a_phrase_found_nowhere_finds_its_words(search_index: SearchIndex) -> None:
    search_index.index([entry("A", "The contract draft was not signed yet."),
                        entry("C", "Unrelated.")])
    assert titles(find(search_index, '"signed contract"')) == ["A"]


def test_a_phrase_matches_its_words_in_order_only(search_index: SearchIndex) -> None:
    # X holds every pair of the phrase's words next to each other, but never all three.
    search_index.index([entry("A", "The edge gateway installation guide, chapter 2."),
                        entry("X", "The edge gateway arrived. The gateway installation is due."),
                        entry("Y", "Installation of the gateway at the network edge.")])
    found = find(search_index, '"edge gateway installation"')
    assert titles(found)[0] == "A"
    assert found.hits[0].extra[TIER] == 0
    assert all(hit.extra[TIER] > 0 for hit in found.hits[1:])  # words apart: a later stage


def test_words_near_each_other_rank_first(search_index: SearchIndex) -> None:
    filler = " ".join(f"word{number}" for number in range(40))
    search_index.index([
        entry("Apart", f"The router ships today. {filler[:150]} Ask about the warranty."),
        entry("Together", f"Router warranty: five years. {filler} {filler}")])
    assert titles(find(search_index, "router warranty")) == ["Together", "Apart"]


def test_exclusions(search_index: SearchIndex) -> None:
    search_index.index([entry("Contract final", "signed"), entry("Contract draft", "unsigned"),
                        entry("Contract old version", "archive")])
    assert titles(find(search_index, "contract -draft -\"old version\"")) == ["Contract final"]


@pytest.mark.parametrize("raw", ["AX-200", "ax200", "ax-200-eu", "AX200EU", "AX200-EU"])
def test_a_product_code_is_found_by_its_prefix_with_or_without_dashes(
        search_index: SearchIndex, raw: str) -> None:
    search_index.index([entry("Router price list", "AX-200-EU industrial router 1200 USD"),
                        entry("Gateway", "AX-300-US edge gateway")])
    assert titles(find(search_index, raw)) == ["Router price list"]


@pytest.mark.parametrize("misread", ["AX-20-EU", "AX-2O0-EU", "AX-Z00-EU"])
def test_a_code_ocr_misread_by_one_character_is_found_after_the_exact_ones(
        search_index: SearchIndex, misread: str) -> None:
    search_index.index([entry("Signed contract scan", f"Delivery of 40 units {misread} routers"),
                        entry("Router price list", "AX-200-EU industrial router 1200 USD"),
                        entry("Gateway", "AX-300-US edge gateway BX-900")])
    assert titles(find(search_index, "AX-200-EU")) == ["Router price list",
                                                       "Signed contract scan"]


def test_a_misread_code_alone_still_answers_its_query(search_index: SearchIndex) -> None:
    search_index.index([entry("Scan", "Order SC2O24081 for 40 units"), entry("Other", "SC2024")])
    assert titles(find(search_index, "SC2024081")) == ["Scan"]
    assert titles(find(search_index, "SC2024")) == ["Other"]  # short codes: as typed only


def test_full_width_letters_and_digits_match_ordinary_queries(search_index: SearchIndex) -> None:
    search_index.index([entry("报价", "型号 ＡＸ－２００ 单价 １２００ 元，Ｑｕｏｔａｔｉｏｎ"),
                        entry("Other", "AX-300")])
    for raw in ("AX-200", "1200", "quotation", "ＡＸ２００"):
        assert titles(find(search_index, raw)) == ["报价"], raw


def test_a_code_typed_without_its_space_finds_it(search_index: SearchIndex) -> None:
    search_index.index([entry("Router", "Model AX 200, industrial router"),
                        entry("Gateway", "Model AX 300")])
    assert titles(find(search_index, "ax200")) == ["Router"]


@pytest.mark.parametrize("raw", ["pricing sheet", "报价单", "報價單", "quotation 2024"])
def test_sales_synonyms(search_index: SearchIndex, raw: str) -> None:
    search_index.index([entry("Price List 2024", "AX-200-EU 1200 USD", years=[2024]),
                        entry("Installation manual", "Mount the router.")])
    assert titles(find(search_index, raw)) == ["Price List 2024"]


def test_a_sales_word_finds_its_translations_after_its_own_language(
        search_index: SearchIndex) -> None:
    search_index.index([entry("Kunde Müller", "Unser Angebot für 40 Router, gültig 30 Tage."),
                        entry("Offer K9", "Our offer for 40 routers."),
                        entry("Client Dupont", "Notre offre pour 40 routeurs."),
                        entry("Router notes", "Routers ship in spring.")])
    found = titles(find(search_index, "offer"))
    assert found[0] == "Offer K9" and set(found[1:]) == {"Kunde Müller", "Client Dupont"}
    search_index.index([entry("Rahmen", "Dieser Vertrag regelt die Lieferung."),
                        entry("合作", "双方签订本合同。")])
    assert titles(find(search_index, "合同")) == ["合作", "Rahmen"]
    assert titles(find(search_index, "Vertrag")) == ["Rahmen", "合作"]


def test_the_2024_price_list_comes_first(search_index: SearchIndex) -> None:
    search_index.index([
        entry("Price List 2023", "Valid from 2023-01-01", years=[2023]),
        entry("Price List 2024", "Valid from 2024-01-01", years=[2024]),
        entry("Campaign plan 2024", "trade fair booth, price sheets on request", years=[2024],
              category="campaign")])
    assert titles(find(search_index, "pricing sheet 2024"))[0] == "Price List 2024"
    assert titles(find(search_index, "2024 价格表"))[0] == "Price List 2024"


@pytest.mark.parametrize("raw", ["price list 2024", "2024 price list", "price list FY24",
                                 "FY 24 price list", "FY2024 price list", "2024年价格表",
                                 "24年价格表", "2024年度 价格表"])
def test_each_form_of_a_year_finds_that_year_first(search_index: SearchIndex, raw: str) -> None:
    # The lists of 2023 and 2025 are shorter: by the words alone they would rank first.
    search_index.index([
        entry("Price list 2023", "Valid in 2023.", years=[2023]),
        entry("Partner price list for every region", "Valid in fiscal year FY24 for "
              "distributors and resellers in every region.", years=[2024]),
        entry("Price list 2025", "Valid in 2025.", years=[2025])])
    assert titles(find(search_index, raw))[0] == "Partner price list for every region"


@pytest.mark.parametrize("raw, wanted", [
    ("polcy", "Warranty policy"), ("gatway", "Gateway datasheet"),
    ("pricng sheet", "Price list"), ("specificaton", "Specification"),
    ("brochrue", "Brochure")])
def test_a_typo_in_a_word_of_five_letters_or_more_still_finds_it(
        search_index: SearchIndex, raw: str, wanted: str) -> None:
    search_index.index([entry("Warranty policy", "Five years on every router."),
                        entry("Gateway datasheet", "Edge computing, 8 GB RAM."),
                        entry("Price list", "AX-200 at 1200 USD."),
                        entry("Specification", "Wi-Fi 6, LTE Cat 12."),
                        entry("Brochure", "Connect every machine."),
                        entry("Travel expenses", "Hotels and trains.")])
    assert titles(find(search_index, raw))[:1] == [wanted]


def test_a_short_word_is_not_guessed(search_index: SearchIndex) -> None:
    search_index.index([entry("Price list", "AX-200 at 1200 USD.")])
    assert titles(find(search_index, "prce")) == []


def test_a_long_chinese_word_is_found_by_its_words_apart(search_index: SearchIndex) -> None:
    search_index.index([entry("模板", "描述团队的共同目标。知识库简介：介绍知识库的主要内容。"),
                        entry("手册", "安装说明")])
    assert titles(find(search_index, "团队知识库")) == ["模板"]


def test_a_word_naming_a_file_kind_finds_files_of_that_kind(search_index: SearchIndex) -> None:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # The report is shorter: by the words alone it would rank first.
    search_index.index([entry("Half-year results", "Sales by segment, first and second "
                              "quarter, every region, in EUR", media_type=xlsx),
                        entry("Annual report", "Sales by segment.")])
    assert titles(find(search_index, "spreadsheet sales by segment"))[0] == "Half-year results"


# -- versions -----------------------------------------------------------------------------

def test_latest_versions_only_unless_all_versions_asked(search_index: SearchIndex) -> None:
    old = entry("Router spec", "spec v1", version=1, is_latest=False)
    new = entry("Router spec", "spec v2", document_id=old.document_id, version=2)
    search_index.index([old, new])
    assert [hit.version for hit in find(search_index, "spec").hits] == [2]
    every = find(search_index, "spec", all_versions=True)
    assert [(hit.version, hit.is_latest) for hit in every.hits] == [(2, True), (1, False)]


def test_indexing_a_version_again_replaces_it(search_index: SearchIndex) -> None:
    first = entry("Router spec", "draft", is_latest=True)
    search_index.index([first])
    search_index.index([entry("Router spec", "draft", version_id=first.version_id,
                              document_id=first.document_id, is_latest=False)])
    assert search_index.count() == 1
    assert find(search_index, "router").total == 0
    assert find(search_index, "router", all_versions=True).total == 1


# -- filters, facets, pages ---------------------------------------------------------------

FILTERED = [
    ("category:contract", dict(category="contract")),
    ("subtype:\"price list\"", dict(subtype="price_list")),
    ("type:docx", dict(media_type="application/vnd.openxmlformats-officedocument"
                                  ".wordprocessingml.document")),
    ("tag:VIP", dict(tags=["vip", "q1"])),
    ("year:FY23", dict(years=[2022, 2023])),
    ("customer:\"ACME corp\"", dict(customer="Acme Corp")),
    ("product:ax-200", dict(product="AX-200")),
    ("status:signed", dict(status="signed")),
    ("version:3", dict(version=3)),
    ("industry:retail", dict(customer_industry="Retail")),
    ("region:emea", dict(customer_region="EMEA")),
    ("stage:negotiation", dict(customer_stage="negotiation")),
    ('stage:"first contact"', dict(customer_stage="first_contact")),
    ("customertype:partner", dict(customer_type="partner")),
    ("customer:阿克米", dict(customer="Acme Corp", customer_aliases=["阿克米", "Acme Old"])),
    ('customer:"acme old"', dict(customer="Acme Corp", customer_aliases=["阿克米", "Acme Old"])),
]


@pytest.mark.parametrize("raw, fields", FILTERED, ids=[raw for raw, _ in FILTERED])
def test_each_filter(search_index: SearchIndex, raw: str, fields: dict[str, object]) -> None:
    search_index.index([entry("Wanted", "router", **fields), entry("Other", "router")])
    assert titles(find(search_index, f"router {raw}")) == ["Wanted"]
    assert titles(find(search_index, raw)) == ["Wanted"]


def test_two_values_of_one_filter_are_alternatives(search_index: SearchIndex) -> None:
    search_index.index([entry("A", category="contract"), entry("B", category="campaign"),
                        entry("C", category="product")])
    assert sorted(titles(find(search_index, "category:contract category:campaign"))) == [
        "A", "B"]


def test_only_filters_lists_every_readable_entry_newest_first(
        search_index: SearchIndex) -> None:
    day = datetime(2024, 5, 1)
    search_index.index([entry("Old", category="contract", uploaded_at=day),
                        entry("New", category="contract", uploaded_at=day + timedelta(days=2)),
                        entry("Hidden", category="contract", acl=["team:9"]),
                        entry("Product", category="product")])
    result = find(search_index, "category:contract")
    assert titles(result) == ["New", "Old"] and result.total == 2


def test_facet_counts(search_index: SearchIndex) -> None:
    search_index.index([
        entry("Router list", "router", category="product", years=[2023, 2024], tags=["VIP"],
              product="AX-200", customer_region="EMEA"),
        entry("Router deal", "router", category="contract", years=[2024],
              media_type="application/vnd.openxmlformats-officedocument"
                         ".wordprocessingml.document", customer_industry="Retail",
              customer_stage="qualified", customer_type="current"),
        entry("Router guide", "router", category="product", years=[2024], tags=["vip", "new"]),
        entry("Unrelated", "gateway", category="campaign")])
    facets = find(search_index, "router").facets
    assert facets["category"] == {"product": 2, "contract": 1}
    assert facets["year"] == {"2024": 3, "2023": 1}
    assert facets["type"] == {"pdf": 2, "docx": 1}
    assert facets["tag"] == {"vip": 2, "new": 1}
    assert facets["product"] == {"ax-200": 1}
    assert (facets["industry"], facets["region"], facets["stage"]) == (
        {"retail": 1}, {"emea": 1}, {"qualified": 1})
    assert facets["customertype"] == {"current": 1}


def test_facets_count_what_the_last_stage_found(search_index: SearchIndex) -> None:
    # Nothing holds the phrase; the forgiving stage finds its words apart in three entries.
    search_index.index([entry("Signed", "contract, signed", category="contract"),
                        entry("Not yet", "signed later: the contract", category="contract"),
                        entry("Offer", "contract to be signed", category="product"),
                        entry("Other", "a signed photo", category="campaign")])
    found = find(search_index, '"signed contract"')
    assert found.total == 3
    assert found.facets["category"] == {"contract": 2, "product": 1}


def test_pagination_and_total(search_index: SearchIndex) -> None:
    search_index.index([entry(f"Router {number}", "router") for number in range(15)])
    first = find(search_index, "router", limit=10)
    second = find(search_index, "router", limit=10, offset=10)
    assert (first.total, second.total) == (15, 15)
    assert (len(first.hits), len(second.hits)) == (10, 5)
    assert not {h.version_id for h in first.hits} & {h.version_id for h in second.hits}


def test_pages_run_on_from_the_exact_matches_into_the_forgiving_ones(
        search_index: SearchIndex) -> None:
    # Two entries hold the phrase; eight more hold its words apart (found by the next stage).
    search_index.index([entry(f"Exact {n}", "the signed contract") for n in range(2)]
                       + [entry(f"Apart {n}", "contract, not yet signed") for n in range(8)])
    pages = [find(search_index, '"signed contract"', limit=4, offset=offset)
             for offset in (0, 4, 8)]
    shown = [title for page in pages for title in titles(page)]
    assert [page.total for page in pages] == [10, 10, 10]
    assert set(shown[:2]) == {"Exact 0", "Exact 1"}
    assert sorted(shown) == sorted([f"Exact {n}" for n in range(2)]
                                   + [f"Apart {n}" for n in range(8)])  # each once


def test_sort_by_date_puts_the_newest_first(search_index: SearchIndex) -> None:
    day = datetime(2024, 1, 1)
    search_index.index([entry("Router middle", "router", uploaded_at=day + timedelta(days=5)),
                        entry("Router", "router router router", uploaded_at=day),
                        entry("Router newest", "router", uploaded_at=day + timedelta(days=9))])
    assert titles(find(search_index, "router", sort="date")) == [
        "Router newest", "Router middle", "Router"]


# -- security trimming --------------------------------------------------------------------

def test_a_caller_without_the_token_sees_nothing_of_the_entry(
        search_index: SearchIndex) -> None:
    search_index.index([entry("Acme contract", "signed", category="contract", acl=["team:2"]),
                        entry("Public contract", "signed", category="product", acl=["org"])])
    outsider = find(search_index, "contract", acl=["org", "team:3", "user:9"])
    assert titles(outsider) == ["Public contract"] and outsider.total == 1
    assert outsider.facets["category"] == {"product": 1}
    assert titles(find(search_index, "acme", acl=["org"])) == []
    assert titles(find(search_index, "acme", acl=["team:2"])) == ["Acme contract"]
    assert find(search_index, "contract", acl=None).total == 2  # admin
    assert find(search_index, "contract", acl=[]).total == 0


# -- lifecycle ----------------------------------------------------------------------------

def test_delete_document_removes_every_version(search_index: SearchIndex) -> None:
    old = entry("Router spec", "v1", is_latest=False)
    search_index.index([old, entry("Router spec", "v2", document_id=old.document_id),
                        entry("Router manual", "keep")])
    search_index.delete_document(old.document_id)
    assert search_index.count() == 1
    assert titles(find(search_index, "router", all_versions=True)) == ["Router manual"]


def test_rebuild_replaces_the_index_and_searches_work_meanwhile(
        search_index: SearchIndex) -> None:
    search_index.index([entry("Router manual", "setup"), entry("Stale entry", "gone")])
    seen_during_rebuild: list[str] = []

    def entries() -> Iterator[IndexEntry]:
        yield entry("Router manual", "setup")
        seen_during_rebuild.extend(titles(find(search_index, "stale")))
        yield entry("Price list", "router prices")

    search_index.rebuild(entries())
    assert seen_during_rebuild == ["Stale entry"]
    assert sorted(titles(find(search_index, "router"))) == ["Price list", "Router manual"]
    assert titles(find(search_index, "stale")) == [] and search_index.count() == 2
    search_index.check()


def test_a_failed_rebuild_leaves_the_index_as_it_was(search_index: SearchIndex) -> None:
    search_index.index([entry("Router manual", "setup")])

    def broken() -> Iterator[IndexEntry]:
        yield entry("Price list", "router prices")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        search_index.rebuild(broken())
    assert titles(find(search_index, "router")) == ["Router manual"]
    assert search_index.count() == 1


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tests.contract.test_search_index import entry, make_search_index
    index = make_search_index(sys.argv[1], Path(sys.argv[2]))
    print("ready", flush=True)
    sys.stdin.readline()
    for batch in range(10):
        index.index([entry(f"Child {batch} {n}", "router", version_id=10_000 + batch * 10 + n)
                     for n in range(5)])
""")


def test_two_processes_writing_at_once_both_land(search_index: SearchIndex,
                                                  request: pytest.FixtureRequest,
                                                  tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", WRITER, request.node.callspec.params[
        "search_index"], str(tmp_path / "index")], cwd=ROOT, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    child.stdin.write("go\n")
    child.stdin.flush()
    for batch in range(10):
        search_index.index([entry(f"Parent {batch} {n}", "router") for n in range(5)])
    assert child.wait(timeout=120) == 0
    assert search_index.count() == 100
    assert find(search_index, "child").total == 50 and find(search_index, "parent").total == 50


# -- Tantivy only: the embedded index's single writer -------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time, tantivy
    from pathlib import Path
    root = Path(sys.argv[1])
    index = tantivy.Index.open(str(root / (root / "CURRENT").read_text().strip()))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    writer.wait_merging_threads()
""")


def hold_writer(location: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(location), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_tantivy_waits_for_a_writer_in_another_process(tmp_path: Path) -> None:
    from docservice.search.tantivy import TantivyIndex

    index = TantivyIndex(tmp_path / "index", lock_timeout=20)
    index.ensure()
    holder = hold_writer(tmp_path / "index", 0.5)
    index.index([entry("Router", "waited")])
    assert holder.wait(timeout=30) == 0
    assert titles(find(index, "waited")) == ["Router"]


def test_tantivy_reports_busy_when_another_process_keeps_the_writer(tmp_path: Path) -> None:
    from docservice.search.tantivy import TantivyIndex

    index = TantivyIndex(tmp_path / "index", lock_timeout=0.3)
    index.ensure()
    holder = hold_writer(tmp_path / "index", 3)
    try:
        with pytest.raises(IndexBusy, match="another process"):
            index.index([entry("Router", "blocked")])
    finally:
        holder.kill()
        holder.wait()
    index.index([entry("Router", "later")])
    assert index.count() == 1


def test_tantivy_rebuild_repairs_an_index_whose_files_are_gone(tmp_path: Path) -> None:
    from docservice.search.tantivy import TantivyIndex

    index = TantivyIndex(tmp_path / "index")
    index.ensure()
    index.index([entry("Router", "lost")])
    shutil.rmtree(tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip())
    with pytest.raises(SearchUnavailable):
        index.check()
    index.rebuild([entry("Router", "back")])
    index.check()
    assert titles(find(index, "router")) == ["Router"] and index.count() == 1


# -- Elasticsearch/OpenSearch only: writes during a rebuild, a dead engine ----------------

@pytest.mark.services
def test_elastic_keeps_what_is_written_while_a_rebuild_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docservice.search.elastic import documents

    monkeypatch.setattr(documents, "BULK_DOCS", 1)  # entries reach the new index one by one
    index = make_search_index("opensearch", tmp_path / "index")
    try:
        index.ensure()
        gone = entry("Router old", "to delete")
        index.index([entry("Router manual", "setup"), gone])

        def entries() -> Iterator[IndexEntry]:
            yield entry("Router manual", "setup")
            yield gone
            yield entry("Price list", "router prices")
            # a worker indexes an upload and deletes a document while the rebuild runs
            index.index([entry("Router uploaded meanwhile", "new")])
            index.delete_document(gone.document_id)
            assert sorted(titles(find(index, "router"))) == [
                "Router manual", "Router uploaded meanwhile"]
            yield entry("Router spec", "details")

        index.rebuild(entries())
        assert sorted(titles(find(index, "router"))) == [
            "Price list", "Router manual", "Router spec", "Router uploaded meanwhile"]
    finally:
        drop_search_index("opensearch", tmp_path / "index")


@pytest.mark.services
def test_elastic_asks_for_a_reindex_of_an_older_layout_and_reindex_mends_it(
        tmp_path: Path) -> None:
    from docservice.search.elastic import ElasticIndex, lifecycle

    index = make_search_index("opensearch", tmp_path / "index")
    assert isinstance(index, ElasticIndex)
    try:  # what an older release left: a v1 index (no pair fields) behind the alias
        body = json.loads(lifecycle.MAPPING_FILE.read_text(encoding="utf-8"))
        properties = body["mappings"]["properties"]
        for name in [name for name in properties if name.endswith("_pairs")]:
            del properties[name]
        old = index.layout.new_name().replace(f"-{lifecycle.MAPPING_VERSION}-", "-v1-")
        index.client.create_index(old, {**body, "aliases": {index.alias: {}}})
        for call in (index.ensure, index.check):
            with pytest.raises(SearchUnavailable, match=r"v1 layout .* `docservice reindex`"):
                call()
        index.rebuild([entry("Edge gateway guide", "the edge gateway installation")])
        index.ensure()
        index.check()
        assert titles(find(index, '"edge gateway"')) == ["Edge gateway guide"]
    finally:
        drop_search_index("opensearch", tmp_path / "index")


@pytest.mark.parametrize("engine", ["ElasticsearchClient", "OpenSearchClient"])
def test_a_dead_engine_is_reported_as_search_unavailable(engine: str) -> None:
    from docservice.search import elastic

    client = getattr(elastic, engine)("http://127.0.0.1:1", timeout=2)
    index = elastic.ElasticIndex(client, prefix="nowhere")
    calls = [index.ensure, index.check, index.count, lambda: index.index([entry("Router")]),
             lambda: index.delete_document(1), lambda: index.rebuild([entry("Router")]),
             lambda: find(index, "router")]
    for call in calls:
        with pytest.raises(SearchUnavailable, match=r"at http://127\.0\.0\.1:1: "):
            call()
