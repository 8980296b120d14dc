"""Usage reports as a sales leader reads them: searches, clicks, views and downloads are
recorded, rolled up, and shown as charts, tables and exports to those allowed to see them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from docservice.domain import OPERATOR
from docservice.services import analytics, reports
from tests.web.conftest import Browser, Web, text_of


@pytest.fixture
def used(web: Web, alice: Browser, bob: Browser, carol: Browser) -> dict[str, int]:
    """A price list people searched for, clicked and downloaded; a search that found
    nothing; a private contract only its owner (carol) reads; an unopened manual."""
    price = alice.upload("emea-price-list.txt", b"EMEA price list euro tariff", visibility="org",
                         category="product", subtype="price_list", customer="Acme")
    manual = alice.upload("old-manual.txt", b"an old manual nobody reads", visibility="org")
    secret = carol.upload("carol-contract.txt", b"carol private contract", visibility="private",
                          category="contract")
    web.settle(price["version_id"], manual["version_id"], secret["version_id"])
    assert 'data-document-id' in text_of(bob.get("/?q=euro+tariff"))
    page = text_of(bob.get("/?q=euro+tariff"))
    assert "r=1" in page  # the hit links carry their rank
    assert bob.get(f"/d/{price['document_id']}?q=euro+tariff&r=1").status_code == 200
    assert bob.get(f"/v/{price['version_id']}/download").status_code == 200
    assert "0" in text_of(bob.get("/?q=warranty+extension"))
    assert carol.get(f"/d/{secret['document_id']}").status_code == 200
    analytics.roll_up(web.ctx)
    return {"price": price["document_id"], "manual": manual["document_id"],
            "secret": secret["document_id"]}


def test_most_used_material_counts_views_downloads_and_clicks(
        web: Web, admin: Browser, used: dict[str, int]) -> None:
    page = text_of(admin.get("/reports/usage"))
    assert "emea-price-list" in page
    body = admin.get("/api/v1/reports/usage").get_json()
    most = next(t for t in body["tables"] if t["name"] == "most_used")
    row = next(r for r in most["rows"] if r["document_id"] == used["price"])
    views, downloads, _shares, clicks = row["cells"][2:6]
    assert (views, downloads, clicks) == (1, 1, 1)
    unused = next(t for t in body["tables"] if t["name"] == "unused")
    assert used["manual"] in {r["document_id"] for r in unused["rows"]}
    assert used["price"] not in {r["document_id"] for r in unused["rows"]}
    assert "<svg" in page and 'role="img"' in page


def test_counts_leave_out_what_the_reader_cannot_read(
        web: Web, admin: Browser, bob: Browser, used: dict[str, int]) -> None:
    def ids(browser: Browser) -> set[int]:
        tables = browser.get("/api/v1/reports/usage").get_json()["tables"]
        return {r["document_id"] for t in tables for r in t["rows"]}

    assert used["secret"] in ids(admin)
    assert used["secret"] not in ids(bob)
    assert "carol-contract" not in text_of(bob.get("/reports/usage"))


def test_search_report_shows_what_found_nothing_with_a_link_to_run_it(
        web: Web, admin: Browser, used: dict[str, int]) -> None:
    page = text_of(admin.get("/reports/search"))
    assert "warranty extension" in page
    assert '/?q=warranty+extension' in page
    body = admin.get("/api/v1/reports/search").get_json()
    zero = next(t for t in body["tables"] if t["name"] == "zero_results")
    assert [r["query"] for r in zero["rows"]] == ["warranty extension"]
    top = next(t for t in body["tables"] if t["name"] == "top_queries")
    euro = next(r for r in top["rows"] if r["query"] == "euro tariff")
    assert euro["cells"][1:] == [2, 0, 0, 1.0]  # two searches (page shown twice), clicked at 1


def test_query_texts_are_for_admins_and_the_teams_lead(
        web: Web, alice: Browser, bob: Browser, used: dict[str, int]) -> None:
    assert bob.get("/reports/search").status_code == 403
    assert bob.get("/api/v1/reports/search").status_code == 403
    assert bob.get("/api/v1/reports/contribution").status_code == 403
    reports.set_team_lead(web.ctx, OPERATOR, "sales", "alice@example.com")
    assert "warranty extension" in text_of(alice.get("/reports/search"))
    assert "alice@example.com" in text_of(alice.get("/reports/contribution")) or \
        "alice" in text_of(alice.get("/reports/contribution"))


def test_tables_export_as_csv_and_xlsx(web: Web, admin: Browser, used: dict[str, int]) -> None:
    answer = admin.get("/reports/search/zero_results.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Query" and rows[1][0] == "warranty extension"
    answer = admin.get("/reports/usage/most_used.xlsx")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    assert sheet is not None
    titles = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert titles[0] == "Title" and "emea-price-list" in titles


def test_customers_with_no_current_material(web: Web, alice: Browser,
                                            used: dict[str, int]) -> None:
    for name, stage in (("Beta Rail", "negotiation"), ("Gamma Port", "negotiation")):
        assert alice.api("POST", "/api/v1/customers",
                         json={"name": name, "stage": stage}).status_code == 201
    template = alice.upload("beta-contract-draft.txt", b"draft contract for beta",
                            category="contract", subtype="draft", customer="Beta Rail")
    web.settle(template["version_id"])
    body = alice.get("/api/v1/reports/customers?stage=negotiation&category=contract"
                     "&subtype=draft").get_json()
    lacking = next(t for t in body["tables"] if t["name"] == "without_material")
    assert [r["cells"][0] for r in lacking["rows"]] == ["Gamma Port"]


def test_an_admin_exports_and_deletes_a_persons_query_history(
        web: Web, admin: Browser, bob: Browser, used: dict[str, int]) -> None:
    bob_id = bob.get("/api/v1/me").get_json()["user_id"]
    assert bob.get(f"/api/v1/users/{bob_id}/queries").status_code == 403
    history = admin.get(f"/api/v1/users/{bob_id}/queries").get_json()
    assert {h["query"] for h in history} == {"euro tariff", "warranty extension"}
    assert admin.api("DELETE", f"/api/v1/users/{bob_id}/queries").status_code == 204
    assert admin.get(f"/api/v1/users/{bob_id}/queries").get_json() == []
    assert "warranty extension" not in text_of(admin.get("/reports/search"))


def test_document_page_shows_its_use_to_editors_only(
        web: Web, alice: Browser, bob: Browser, used: dict[str, int]) -> None:
    page = text_of(alice.get(f"/d/{used['price']}"))
    assert 'id="usage"' in page and "sales" in page
    assert 'id="usage"' not in text_of(bob.get(f"/d/{used['price']}"))
    assert bob.get(f"/api/v1/documents/{used['price']}/usage").status_code == 403


def test_bad_filters_are_a_clear_400(admin: Browser) -> None:
    answer = admin.get("/api/v1/reports/usage?since=2026-13-01")
    assert answer.status_code == 400 and "since" in answer.get_json()["error"]["fields"]
    answer = admin.get("/api/v1/reports/usage?since=2026-05-01&until=2026-04-01")
    assert answer.status_code == 422
    for far in ("until=0001-01-01", "since=0001-01-01", "until=9999-12-31"):
        answer = admin.get(f"/api/v1/reports/contribution?{far}")
        assert answer.status_code == 422, far
        assert "report dates must lie between 1970-01-01 and 2999-12-31" in \
            answer.get_json()["error"]["message"]
