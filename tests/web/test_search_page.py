"""The search page: hits with facts and snippets, facets as filters, paging, states."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup
from click.testing import CliRunner

from docservice.cli import main
from tests.factories import pdf_bytes
from tests.web.conftest import Browser, Web, text_of


def _library(web: Web, alice: Browser) -> dict[str, int]:
    uploads = {
        "prices": alice.upload("price-list-2024.txt", b"Pricing sheet 2024\nRouter AX-200 1260",
                               category="product", subtype="price_list", tags="emea",
                               visibility="org"),
        "contract": alice.upload("acme-msa.pdf", pdf_bytes([
            "Master services agreement", "Liquidated damages shall not exceed ten percent"]),
            category="contract", subtype="signed", customer="Acme Corp", visibility="team"),
        "manual": alice.upload("router-guide.txt", b"AX-200 router user guide 2023",
                               category="product", subtype="manual", visibility="org"),
    }
    web.settle(*(outcome["version_id"] for outcome in uploads.values()))
    return {name: outcome["document_id"] for name, outcome in uploads.items()}


def test_a_hit_shows_title_category_version_date_type_customer_snippet_and_page(
        web: Web, alice: Browser) -> None:
    ids = _library(web, alice)
    page = text_of(alice.get("/?q=liquidated+damages"))
    assert f'data-document-id="{ids["contract"]}"' in page
    assert "acme-msa" in page and "PDF" in page and "Acme Corp" in page
    assert "v1" in page and "page 2" in page
    assert "<mark>Liquidated</mark>" in page or "<mark>liquidated</mark>" in page.lower()
    assert "signed" in page


def test_facets_count_and_filter_and_the_filter_chip_removes_itself(
        web: Web, alice: Browser) -> None:
    ids = _library(web, alice)
    page = text_of(alice.get("/?q=AX-200"))
    assert 'data-facet="category"' in page and "q=AX-200+subtype" not in page
    filtered = text_of(alice.get("/?q=AX-200+category:product+tag:emea"))
    assert f'data-document-id="{ids["prices"]}"' in filtered
    assert f'data-document-id="{ids["manual"]}"' not in filtered
    assert 'class="chip" href="/?q=AX-200+tag:emea"' in filtered


def test_no_results_says_what_to_try(web: Web, alice: Browser) -> None:
    _library(web, alice)
    page = text_of(alice.get("/?q=zeppelin"))
    assert "No documents match" in page and "Include older versions" in page


def test_a_malformed_query_explains_itself(alice: Browser) -> None:
    response = alice.get("/?q=year:someday")
    assert response.status_code == 400
    assert "year:someday is not a year" in text_of(response)


def test_the_empty_page_offers_examples(alice: Browser) -> None:
    page = text_of(alice.get("/"))
    assert "What are you looking for?" in page and "pricing sheet 2024" in page


def test_paging_sorting_and_older_versions(web: Web, alice: Browser) -> None:
    first = alice.upload("offer.txt", b"quotation alpha 1")
    web.settle(first["version_id"])
    for number in range(2, 13):
        outcome = alice.upload(f"offer-{number}.txt", f"quotation beta {number}".encode())
        web.settle(outcome["version_id"])
    page_one = text_of(alice.get("/?q=quotation&sort=date"))
    assert "Page 1 of 2" in page_one and 'rel="next"' in page_one
    assert "sort=date" in page_one.split('rel="next"')[0].rsplit("href=", 1)[1]
    page_two = text_of(alice.get("/?q=quotation&sort=date&page=2"))
    assert 'rel="prev"' in page_two and page_two.count('class="hit"') == 2
    newer = alice.api("POST", f"/api/v1/documents/{first['document_id']}/versions",
                      data={"file": (io.BytesIO(b"quotation gamma"), "offer.txt")})
    web.settle(newer.get_json()["version_id"])
    assert "· older version" not in text_of(alice.get("/?q=alpha"))
    assert "· older version" in text_of(alice.get("/?q=alpha&all=1"))


def _suggestion(page: str) -> tuple[str, dict[str, str]] | None:
    """The suggestion line as a person reads it, and the search its link runs."""
    line = BeautifulSoup(page, "html.parser").select_one(".suggestion")
    if line is None:
        return None
    link = line.find("a")
    assert link is not None
    href = urlsplit(str(link["href"]))
    assert href.path == "/"
    return " ".join(line.get_text(" ").split()), dict(parse_qsl(href.query))


def test_a_typo_offers_did_you_mean_with_a_link_that_runs_the_corrected_query(
        web: Web, alice: Browser) -> None:
    outcome = alice.upload("warranty.txt", b"Warranty policy: five years on every router.",
                           visibility="org")
    web.settle(outcome["version_id"])
    page = text_of(alice.get("/?q=warranty+polcy&sort=date"))
    assert _suggestion(page) == ("Did you mean: warranty policy",
                                 {"q": "warranty policy", "sort": "date"})
    corrected = text_of(alice.get("/?sort=date&q=warranty+policy"))
    assert f'data-document-id="{outcome["document_id"]}"' in corrected
    assert _suggestion(corrected) is None


def test_no_hits_offers_a_broader_search(web: Web, alice: Browser) -> None:
    outcome = alice.upload("router.txt", b"Router manual", category="product",
                           visibility="org")
    web.settle(outcome["version_id"])
    page = text_of(alice.get("/?q=router+category:contract"))
    assert "No documents match" in page
    assert _suggestion(page) == ("Try a broader search: router", {"q": "router"})


def test_the_suggestion_speaks_chinese(web: Web, alice: Browser) -> None:
    outcome = alice.upload("warranty.txt", b"Warranty policy: five years on every router.",
                           visibility="org")
    web.settle(outcome["version_id"])
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    page = text_of(alice.get("/?q=warranty+polcy"))
    assert _suggestion(page) == ("您是不是要找： warranty policy", {"q": "warranty policy"})
    empty = text_of(alice.get("/?q=warranty+category:contract"))
    assert _suggestion(empty) == ("试试范围更宽的搜索： warranty", {"q": "warranty"})


def _total(page: str) -> str:
    found = BeautifulSoup(page, "html.parser").select_one("p.total")
    assert found is not None
    return found.get_text(strip=True)


def test_the_results_count_reads_as_a_person_would_say_it(web: Web, alice: Browser) -> None:
    _library(web, alice)
    assert _total(text_of(alice.get("/?q=liquidated+damages"))) == "1 result"
    assert _total(text_of(alice.get("/?q=AX-200"))) == "2 results"
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    assert _total(text_of(alice.get("/?q=liquidated+damages"))) == "共 1 条结果"
    assert _total(text_of(alice.get("/?q=AX-200"))) == "共 2 条结果"


def _title_html(page: str, document_id: int) -> str:
    soup = BeautifulSoup(page, "html.parser")
    title = soup.select_one(f'li[data-document-id="{document_id}"] a.hit-title')
    assert title is not None, f"document {document_id} is not among the hits"
    return title.decode_contents()


def test_the_title_marks_what_the_index_matched_stems_traditional_and_pairs(
        web: Web, alice: Browser) -> None:
    uploads = {
        "english": alice.upload("prices.txt", b"Valid from 1 January.",
                                title="Price list 2024", visibility="org"),
        "traditional": alice.upload("prices-tw.txt", "自一月起有效。".encode(),
                                    title="2024年價格表", visibility="org"),
        "pair": alice.upload("contract-zh.txt", "模板正文。".encode(),
                             title="销售合同模板", visibility="org"),
    }
    web.settle(*(outcome["version_id"] for outcome in uploads.values()))
    ids = {name: outcome["document_id"] for name, outcome in uploads.items()}
    stemmed = _title_html(text_of(alice.get("/?q=pricing")), ids["english"])
    assert stemmed.startswith("<mark>Price") and "2024" in stemmed
    assert _title_html(text_of(alice.get("/?q=价格表")), ids["traditional"]) == (
        "2024年<mark>價格表</mark>")
    assert _title_html(text_of(alice.get("/?q=合同")), ids["pair"]) == "销售<mark>合同</mark>模板"
    hit = alice.get("/api/v1/search?q=合同").get_json()["hits"][0]
    assert hit["document_id"] == ids["pair"] and hit["title_highlights"] == [[2, 4]]


def test_the_cli_prints_the_hits_with_the_same_details_as_the_api(
        web: Web, alice: Browser) -> None:
    ids = _library(web, alice)
    api = alice.get("/api/v1/search?q=liquidated+damages").get_json()
    env = {"DOCSERVICE_DATA_DIR": str(web.ctx.settings.data_dir)}
    printed = CliRunner(env=env).invoke(main, ["search", "liquidated damages", "--as",
                                               "alice@example.com", "--json"],
                                        catch_exceptions=False)
    cli = json.loads(printed.output)
    assert [hit["document_id"] for hit in api["hits"]] == [ids["contract"]]
    assert cli["hits"] == api["hits"] and cli["total"] == api["total"] == 1
    hit = cli["hits"][0]
    assert (hit["customer"], hit["file_type"], hit["subtype"]) == ("Acme Corp", "pdf", "signed")
    assert hit["uploaded_at"] and hit["page"] == 2 and "<mark>" in hit["snippet"]
    text = CliRunner(env=env).invoke(main, ["search", "liquidated damages", "--as",
                                            "alice@example.com"]).output
    assert "customer Acme Corp" in text and "pdf" in text
