"""Review dates: defaulted per category at upload, shown and moved forward ("still current",
a new version), the Needs-review page, and overdue material marked and filtered in search."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import update

from docservice.db.models import Document, utcnow
from docservice.services import review
from tests.web.conftest import Browser, Web, text_of


def _day(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def test_upload_sets_the_category_default_unless_a_date_is_given(web: Web,
                                                                 alice: Browser) -> None:
    prices = alice.upload("prices.txt", b"zqrev price list", category="product",
                          subtype="price_list")
    spec = alice.upload("spec.txt", b"zqrev spec sheet", category="product", subtype="spec")
    chosen = alice.upload("plan.txt", b"zqrev plan", category="campaign", review_by=_day(12))
    contract = alice.upload("msa.txt", b"zqrev contract", category="contract",
                            expires_on=_day(40))
    shown = {name: alice.get(f"/api/v1/documents/{doc['document_id']}").get_json()
             for name, doc in (("prices", prices), ("spec", spec), ("chosen", chosen),
                               ("contract", contract))}
    assert shown["prices"]["review_by"] == _day(180)
    assert shown["spec"]["review_by"] == _day(365)
    assert shown["chosen"]["review_by"] == _day(12)
    assert shown["contract"]["review_by"] is None  # due at its expiry
    assert shown["contract"]["expires_on"] == _day(40) and shown["contract"]["status"] == "draft"
    assert f"{_day(180)}" in text_of(alice.get(f"/d/{prices['document_id']}"))


def _overdue_and_due_soon(web: Web, alice: Browser, carol: Browser) -> dict[str, int]:
    docs = {
        "overdue": alice.upload("old-prices.txt", b"zqfresh old price list", category="product",
                                subtype="price_list", review_by=_day(-3)),
        "soon": alice.upload("spec.txt", b"zqfresh spec", category="product", subtype="spec",
                             review_by=_day(10)),
        "later": alice.upload("manual.txt", b"zqfresh manual", category="product",
                              subtype="manual", review_by=_day(100)),
        "expiring": alice.upload("msa.txt", b"zqfresh contract", category="contract",
                                 expires_on=_day(20)),
        "theirs": carol.upload("carol.txt", b"zqfresh carol plan", category="campaign",
                               review_by=_day(-1)),
    }
    web.settle(*(doc["version_id"] for doc in docs.values()))
    return {name: doc["document_id"] for name, doc in docs.items()}


def test_needs_review_lists_what_my_team_owns_and_admins_see_everything(
        web: Web, alice: Browser, bob: Browser, carol: Browser, admin: Browser) -> None:
    ids = _overdue_and_due_soon(web, alice, carol)
    page = text_of(alice.get("/review"))
    assert 'href="/review"' in page and "Needs review" in page
    for name in ("overdue", "soon", "expiring"):
        assert f'data-document-id="{ids[name]}"' in page, name
    for name in ("later", "theirs"):
        assert f'data-document-id="{ids[name]}"' not in page, name
    assert "3 days overdue" in page and "in 10 days" in page and "contract expires" in page
    # bob shares alice's team: the team's material is his to review too
    assert f'data-document-id="{ids["overdue"]}"' in text_of(bob.get("/review"))
    assert f'data-document-id="{ids["overdue"]}"' not in text_of(bob.get("/review?scope=mine"))
    everything = text_of(admin.get("/review"))
    assert f'data-document-id="{ids["theirs"]}"' in everything
    overdue_only = text_of(alice.get("/review?overdue=1"))
    assert f'data-document-id="{ids["overdue"]}"' in overdue_only
    assert f'data-document-id="{ids["soon"]}"' not in overdue_only
    contracts = alice.get("/api/v1/review?category=contract").get_json()
    assert [item["document_id"] for item in contracts] == [ids["expiring"]]
    by_title = [item["title"] for item in alice.get("/api/v1/review?sort=title").get_json()]
    assert by_title == sorted(by_title, key=str.lower)
    by_due = [item["due"] for item in alice.get("/api/v1/review").get_json()]
    assert by_due == sorted(by_due) and by_due[0] == _day(-3)
    assert alice.get("/api/v1/review?sort=size").status_code == 400


def test_still_current_moves_the_date_forward_and_is_audited(
        web: Web, alice: Browser, bob: Browser, admin: Browser, carol: Browser) -> None:
    ids = _overdue_and_due_soon(web, alice, carol)
    doc = ids["overdue"]
    assert 'id="still-current"' not in text_of(bob.get(f"/d/{doc}"))  # a viewer
    assert bob.api("POST", f"/api/v1/documents/{doc}/still-current").status_code == 403
    done = alice.post(f"/d/{doc}/still-current", {"next": "/review"})
    assert done.status_code == 302 and done.location.endswith("/review")
    page = text_of(alice.get("/review"))
    assert "Marked as still current" in page and f'data-document-id="{doc}"' not in page
    assert alice.get(f"/api/v1/documents/{doc}").get_json()["review_by"] == _day(180)
    events = admin.get(f"/api/v1/audit?action=still_current&document_id={doc}").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [
        ("alice@example.com", f"review by {_day(-3)} -> {_day(180)}")]
    answer = alice.api("POST", f"/api/v1/documents/{ids['soon']}/still-current").get_json()
    assert answer == {"document_id": ids["soon"], "review_by": _day(365)}


def test_a_new_version_moves_the_review_date_forward(web: Web, alice: Browser) -> None:
    first = alice.upload("prices.txt", b"zqnv prices 2024", category="product",
                         subtype="price_list", review_by=_day(-30))
    alice.api("POST", f"/api/v1/documents/{first['document_id']}/versions",
              data={"file": (io.BytesIO(b"zqnv prices 2025"), "prices.txt")})
    shown = alice.get(f"/api/v1/documents/{first['document_id']}").get_json()
    assert shown["review_by"] == _day(180) and shown["overdue"] is False


def test_search_marks_overdue_material_and_status_current_leaves_it_out(
        web: Web, alice: Browser, carol: Browser) -> None:
    ids = _overdue_and_due_soon(web, alice, carol)
    everything = alice.get("/api/v1/search?q=zqfresh&limit=20").get_json()
    overdue = {hit["document_id"] for hit in everything["hits"] if hit["overdue"]}
    assert overdue == {ids["overdue"]}
    statuses = everything["facets"]["status"]
    assert statuses["overdue"] == 1 and statuses["current"] == 3 and statuses["expiring_30"] == 1
    current = alice.get("/api/v1/search?q=zqfresh status:current&limit=20").get_json()
    assert {hit["document_id"] for hit in current["hits"]} == {
        ids["soon"], ids["later"], ids["expiring"]}
    only = alice.get("/api/v1/search?q=status:expiring_30").get_json()
    assert [hit["document_id"] for hit in only["hits"]] == [ids["expiring"]]
    page = text_of(alice.get("/?q=zqfresh"))
    assert page.count('class="badge warn overdue"') == 1 and "current (not out of date)" in page
    assert "out of date" in text_of(alice.get(f"/d/{ids['overdue']}"))
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    chinese = text_of(alice.get("/?q=zqfresh status:current"))
    assert "未过时" in chinese


def test_the_daily_refresh_marks_what_became_overdue_since_it_was_indexed(
        web: Web, alice: Browser, carol: Browser) -> None:
    ids = _overdue_and_due_soon(web, alice, carol)
    with web.ctx.uow() as uow:  # a day passes: the review date of "soon" is yesterday now
        uow.session.execute(update(Document).where(Document.id == ids["soon"])
                            .values(review_by=utcnow().date() - timedelta(days=1)))
        uow.commit()
    stale = alice.get("/api/v1/search?q=zqfresh status:current&limit=20").get_json()
    assert ids["soon"] in {hit["document_id"] for hit in stale["hits"]}  # indexed before
    summary = review.refresh_marks(web.ctx)
    assert summary.startswith("4 documents")  # all but "later": due or expiring this week
    web.drain_outbox()
    fresh = alice.get("/api/v1/search?q=zqfresh status:current&limit=20").get_json()
    assert {hit["document_id"] for hit in fresh["hits"]} == {ids["later"], ids["expiring"]}
