"""The contract lifecycle: status from the upload, the daily job marking signed contracts
past their expiry as expired (audited), the lists of contracts expiring soon and of a
customer's contracts, and the expiry facets."""

from __future__ import annotations

from datetime import timedelta

from docservice.db.models import utcnow
from docservice.domain import SCHEDULER
from docservice.services import accounts, contracts
from tests.web.conftest import Browser, Web


def _day(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


def test_signed_contracts_past_expiry_expire_daily_and_are_audited(
        web: Web, alice: Browser, carol: Browser, admin: Browser) -> None:
    past = alice.upload("old-msa.txt", b"zqlife old contract", category="contract",
                        subtype="signed", customer="Acme", expires_on=_day(-2))
    soon = alice.upload("msa.txt", b"zqlife soon contract", category="contract",
                        subtype="signed", customer="Acme", expires_on=_day(20),
                        starts_on=_day(-345))
    later = alice.upload("sla.txt", b"zqlife later contract", category="contract",
                         subtype="signed", customer="Acme", expires_on=_day(75))
    draft = alice.upload("draft.txt", b"zqlife draft contract", category="contract",
                         subtype="draft", customer="Acme", expires_on=_day(-5))
    web.settle(*(doc["version_id"] for doc in (past, soon, later, draft)))
    assert contracts.expire_contracts(web.ctx) == \
        "1 signed contracts past their expiry marked expired"
    assert contracts.expire_contracts(web.ctx).startswith("0 ")  # safe to run again
    web.drain_outbox()
    shown = alice.get(f"/api/v1/documents/{past['document_id']}").get_json()
    assert (shown["status"], shown["subtype"]) == ("expired", "expired")
    assert alice.get(f"/api/v1/documents/{draft['document_id']}").get_json()["status"] == "draft"
    events = admin.get("/api/v1/audit?action=contract_expired").get_json()
    assert [(e["actor"], e["document_id"]) for e in events] == [
        ("scheduler", past["document_id"])]
    facets = alice.get("/api/v1/search?q=zqlife").get_json()["facets"]["status"]
    assert facets["expired"] == 2 and facets["expiring_30"] == 1 and facets["expiring_90"] == 2
    expired = alice.get("/api/v1/search?q=zqlife status:expired").get_json()["hits"]
    assert {hit["document_id"] for hit in expired} == {past["document_id"],
                                                      draft["document_id"]}
    alice_principal = accounts.principal_for(web.ctx, "alice@example.com")
    within = contracts.contracts_expiring(web.ctx, alice_principal, 30)
    assert [(c.document_id, c.days_left, c.starts_on) for c in within] == [
        (soon["document_id"], 20, _day(-345))]
    assert [c.document_id for c in contracts.contracts_expiring(web.ctx, SCHEDULER, 90)] == [
        soon["document_id"], later["document_id"]]
    carol_principal = accounts.principal_for(web.ctx, "carol@example.com")
    assert contracts.contracts_expiring(web.ctx, carol_principal, 90) == []  # another team
    customer_id = within[0].customer_id
    assert customer_id is not None
    listed = contracts.customer_contracts(web.ctx, alice_principal, customer_id)
    assert [c.status for c in listed] == ["draft", "expired", "signed", "signed"]


def test_the_document_page_offers_the_expiry_the_text_states(web: Web, alice: Browser) -> None:
    doc = alice.upload("renewal.txt", "框架协议。本合同有效期至2027年6月30日。".encode(),
                       category="contract", subtype="signed")
    web.settle(doc["version_id"])
    shown = alice.get(f"/api/v1/documents/{doc['document_id']}").get_json()
    assert (shown["expiry_hint"], shown["expiry_hint_phrase"]) == (
        "2027-06-30", "有效期至2027年6月30日")
    page = alice.get(f"/d/{doc['document_id']}").get_data(as_text=True)
    assert "Expiry in the text" in page and 'id="use-expiry"' in page
    assert shown["expires_on"] is None  # a hint only, until the person confirms
    done = alice.post(f"/d/{doc['document_id']}/expiry", {"expires_on": "2027-06-30"})
    assert done.status_code == 302
    confirmed = alice.get(f"/api/v1/documents/{doc['document_id']}").get_json()
    assert confirmed["expires_on"] == "2027-06-30" and confirmed["expiry_hint"] is None
    assert alice.post(f"/d/{doc['document_id']}/expiry",
                      {"expires_on": "30/06/2027"}).status_code == 400
