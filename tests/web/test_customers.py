"""Customers: list, create, edit, and each customer's documents with facets."""

from __future__ import annotations

from tests.web.conftest import Browser, Web, text_of


def test_editors_create_and_edit_customers_and_see_their_documents(
        web: Web, alice: Browser) -> None:
    created = alice.post("/customers", {"name": "Acme Corp", "type": "current",
                                        "industry": "Manufacturing", "region": "EMEA",
                                        "stage": "negotiation"})
    assert created.status_code == 302
    customer_url = created.location
    outcome = alice.upload("acme-quote.txt", b"quotation for Acme", customer="Acme Corp",
                           category="customer")
    web.settle(outcome["version_id"])
    page = text_of(alice.get(customer_url))
    assert "Acme Corp" in page and "Manufacturing" in page and "acme-quote" in page
    assert 'data-facet="industry"' in page and "Manufacturing" in page
    alice.post(customer_url, {"name": "Acme Corp", "type": "current", "industry": "Retail",
                              "region": "EMEA", "stage": "won"})
    facets = alice.get(f"/api/v1/customers/{customer_url.rsplit('/', 1)[1]}/documents"
                       ).get_json()["facets"]
    assert facets["industry"] == {"retail": 1} or "Retail" in str(facets["industry"])
    assert facets["stage"] and "won" in str(facets["stage"])
    listing = text_of(alice.get("/customers"))
    assert "Acme Corp" in listing and "won" in listing
    alice.post(customer_url, {"name": "Acme Corp", "type": "current", "industry": "",
                              "region": "EMEA", "stage": "won"})
    customer = alice.get(f"/api/v1/customers/{customer_url.rsplit('/', 1)[1]}").get_json()
    assert customer["industry"] is None and customer["region"] == "EMEA"  # a blank clears


def test_customer_documents_are_trimmed_by_permission(web: Web, alice: Browser,
                                                      carol: Browser) -> None:
    alice.post("/customers", {"name": "Globex", "type": "prospect", "stage": "first_contact"})
    outcome = alice.upload("globex-contract.txt", b"signed contract", customer="Globex",
                           visibility="team")
    web.settle(outcome["version_id"])
    customer_id = alice.get("/api/v1/customers").get_json()[0]["customer_id"]
    assert "globex-contract" in text_of(alice.get(f"/customers/{customer_id}"))
    page = text_of(carol.get(f"/customers/{customer_id}"))
    assert "globex-contract" not in page and "No documents you may read" in page


def test_customer_errors(web: Web, alice: Browser, bob: Browser) -> None:
    assert bob.post("/customers", {"name": "Initech"}).status_code == 403
    assert 'name="industry"' not in text_of(bob.get("/customers"))
    bad = alice.post("/customers", {"name": "Initech", "type": "friend"}, follow_redirects=True)
    assert "unknown type &#39;friend&#39;; use one of" in text_of(bad)  # the API's field message
    alice.post("/customers", {"name": "Initech", "type": "prospect", "stage": "first_contact"})
    again = alice.post("/customers", {"name": "initech", "type": "prospect",
                                      "stage": "first_contact"}, follow_redirects=True)
    assert "already exists" in text_of(again)
    assert alice.get("/customers/9999").status_code == 404
    empty = alice.api("POST", "/api/v1/customers", json={"name": ""})
    assert empty.status_code == 400
    assert alice.api("PATCH", "/api/v1/customers/9999", json={"stage": "qualified"}
                     ).status_code == 404


def test_upload_and_edit_forms_offer_the_customer_list(web: Web, alice: Browser) -> None:
    alice.post("/customers", {"name": "Umbrella", "type": "prospect", "stage": "qualified"})
    assert '<option value="Umbrella">' in text_of(alice.get("/upload"))
    doc_id = alice.upload("u.txt", b"umbrella")["document_id"]
    assert '<option value="Umbrella"' in text_of(alice.get(f"/d/{doc_id}"))


def test_the_customer_page_counts_one_document_in_the_singular(web: Web, alice: Browser) -> None:
    alice.post("/customers", {"name": "Initech", "type": "prospect", "stage": "first_contact"})
    outcome = alice.upload("initech-offer.txt", b"offer", customer="Initech")
    web.settle(outcome["version_id"])
    customer_id = alice.get("/api/v1/customers").get_json()[0]["customer_id"]
    page = text_of(alice.get(f"/customers/{customer_id}"))
    assert '<p class="total">1 document</p>' in page


def _names(browser: Browser) -> set[str]:
    return {customer["name"] for customer in browser.get("/api/v1/customers").get_json()}


def test_customers_are_seen_only_by_people_who_may_read_their_documents(
        web: Web, alice: Browser, bob: Browser, carol: Browser, admin: Browser) -> None:
    alice.upload("secret-deal.txt", b"secret deal", customer="Hidden Bank",
                 visibility="private")
    alice.upload("team-deal.txt", b"team deal", customer="Team Client", visibility="team")
    alice.post("/customers", {"name": "Fresh Lead", "type": "prospect", "stage": "first_contact"})
    hidden = next(c["customer_id"] for c in alice.get("/api/v1/customers").get_json()
                  if c["name"] == "Hidden Bank")
    # bob is a viewer in alice's team: the team document's customer only
    assert _names(bob) == {"Team Client"}
    for page in ("/customers", "/upload", "/"):
        assert "Hidden Bank" not in text_of(bob.get(page)), page
    for path in (f"/api/v1/customers/{hidden}", f"/customers/{hidden}",
                 f"/api/v1/customers/{hidden}/documents"):
        assert bob.get(path).status_code == 404, path
    # editors and admins see every customer: they file uploads under them
    everyone = {"Hidden Bank", "Team Client", "Fresh Lead"}
    assert _names(carol) == everyone and _names(admin) == everyone
    assert "Hidden Bank" in text_of(carol.get("/upload"))
    assert carol.get(f"/api/v1/customers/{hidden}").status_code == 200


def test_customer_changes_are_audited_and_viewers_cannot_make_them(
        web: Web, alice: Browser, bob: Browser, admin: Browser) -> None:
    created = alice.api("POST", "/api/v1/customers", json={"name": "Audit Co"})
    customer_id = created.get_json()["customer_id"]
    alice.api("PATCH", f"/api/v1/customers/{customer_id}", json={"stage": "qualified"})
    assert bob.api("PATCH", f"/api/v1/customers/{customer_id}",
                   json={"stage": "won"}).status_code in (403, 404)
    events = admin.get("/api/v1/audit?actor=alice").get_json()
    changes = [(e["action"], e["detail"]) for e in events if e["action"].startswith("customer")]
    assert ("customer_create", "Audit Co") in changes
    assert any(action == "customer_update" and "Audit Co" in detail and "stage" in detail
               for action, detail in changes)
    assert "customer changed" in text_of(admin.get("/audit?action=customer_update"))


def test_customer_type_stage_and_other_names_filter_search_and_the_customer_list(
        web: Web, alice: Browser) -> None:
    made = alice.api("POST", "/api/v1/customers", json={
        "name": "Acme Industrial GmbH", "type": "partner", "stage": "proposal",
        "aliases": ["阿克米工业", "Acme Old Name", "阿克米工业"]}).get_json()
    assert made["aliases"] == ["阿克米工业", "Acme Old Name"]  # each name once
    alice.api("POST", "/api/v1/customers", json={"name": "Globex", "type": "current"})
    # an upload naming the customer by another name is filed under it
    acme = alice.upload("acme-offer.txt", b"offer for the partner", customer="阿克米工业")
    globex = alice.upload("globex-offer.txt", b"offer for the client", customer="Globex")
    web.settle(acme["version_id"], globex["version_id"])
    assert alice.get(f"/api/v1/documents/{acme['document_id']}").get_json()["customer"] == \
        "Acme Industrial GmbH"
    found = alice.get("/api/v1/search?q=offer customertype:partner").get_json()
    assert [hit["document_id"] for hit in found["hits"]] == [acme["document_id"]]
    assert found["facets"]["customertype"] == {"partner": 1}
    both = alice.get("/api/v1/search?q=offer").get_json()["facets"]["customertype"]
    assert both == {"partner": 1, "current": 1}
    by_alias = alice.get('/api/v1/search?q=customer:"acme old name"').get_json()
    assert [hit["document_id"] for hit in by_alias["hits"]] == [acme["document_id"]]
    staged = alice.get('/api/v1/search?q=stage:"proposal"').get_json()
    assert [hit["document_id"] for hit in staged["hits"]] == [acme["document_id"]]
    page = text_of(alice.get("/?q=offer"))
    assert 'data-facet="customertype"' in page and "customer type" in page
    assert [c["name"] for c in alice.get("/api/v1/customers?type=partner").get_json()] == [
        "Acme Industrial GmbH"]
    assert alice.get("/api/v1/customers?type=friend").status_code == 400
    listing = text_of(alice.get("/customers?type=current"))
    assert "Globex" in listing and "Acme Industrial" not in listing
    # a name already used by another customer cannot become an alias
    clash = alice.api("PATCH", f"/api/v1/customers/{made['customer_id']}",
                      json={"aliases": ["globex"]})
    assert clash.status_code == 409


def test_buying_stages_are_a_setting(web: Web, alice: Browser) -> None:
    refused = alice.api("POST", "/api/v1/customers", json={"name": "Hooli", "stage": "signed"})
    assert refused.status_code == 422 and "first_contact" in refused.get_data(as_text=True)
    web.ctx.settings = web.ctx.settings.with_overrides(
        customer_stages=("lead", "signed", "renewal"))
    made = alice.api("POST", "/api/v1/customers", json={"name": "Hooli", "stage": "signed"})
    assert made.status_code == 201 and made.get_json()["stage"] == "signed"
    fresh = alice.api("POST", "/api/v1/customers", json={"name": "Pied Piper"}).get_json()
    assert fresh["stage"] == "lead"  # a new customer starts at the first stage
    form = text_of(alice.get("/customers"))
    assert '<option value="renewal"' in form and '<option value="won"' not in form


def test_the_customer_page_groups_material_and_lists_contracts_by_expiry(
        web: Web, alice: Browser, bob: Browser) -> None:
    alice.api("POST", "/api/v1/customers", json={"name": "Initech", "type": "current"})
    later = alice.upload("initech-msa.txt", b"master agreement", customer="Initech",
                         category="contract", subtype="signed", expires_on="2027-06-30")
    sooner = alice.upload("initech-nda.txt", b"non disclosure", customer="Initech",
                          category="contract", subtype="draft", expires_on="2026-01-31")
    alice.upload("initech-brief.txt", b"brief", customer="Initech", category="campaign",
                 subtype="plan")
    alice.upload("initech-private.txt", b"private", customer="Initech", category="contract",
                 visibility="private")
    customer_id = alice.get("/api/v1/customers").get_json()[0]["customer_id"]
    page = alice.get(f"/customers/{customer_id}").get_data(as_text=True)
    contracts = page.split('class="card customer-contracts"')[1].split("</section>")[0]
    assert contracts.index(f'data-contract-id="{sooner["document_id"]}"') < \
        contracts.index(f'data-contract-id="{later["document_id"]}"')
    assert "2027-06-30" in contracts and "signed" in contracts and "draft" in contracts
    assert 'data-group="campaign/plan"' in page and 'data-group="contract/signed"' in page
    seen_by_bob = bob.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "initech-private" not in seen_by_bob and "initech-msa" in seen_by_bob
