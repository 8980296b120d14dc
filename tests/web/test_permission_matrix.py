"""Every role in two teams, plus a share-link visitor, against every visibility, a document in
the trash and a purged one, over every read path: one cell per (person, document, path). Any
leak or wrong denial fails the test. Each document is filed under a customer of its own: a
viewer sees that customer only if they may read the document; editors and admins see every
customer. Everyone follows every document's product and tries to follow every document: the
inbox and the following list show only what each may read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from docservice.services import accounts, analytics
from tests.web.conftest import PASSWORD, Browser, Web, text_of
from tests.web.test_following import settle_outbox

OWNER = "editor.n@example.com"
PEOPLE = {  # email: (role, team)
    "admin.n@example.com": ("admin", "north"), OWNER: ("editor", "north"),
    "editor2.n@example.com": ("editor", "north"), "viewer.n@example.com": ("viewer", "north"),
    "admin.s@example.com": ("admin", "south"), "editor.s@example.com": ("editor", "south"),
    "viewer.s@example.com": ("viewer", "south"),
}
NORTH = {email for email, (_, team) in PEOPLE.items() if team == "north"}
ADMINS = {"admin.n@example.com", "admin.s@example.com"}
SOUTH = {email for email, (_, team) in PEOPLE.items() if team == "south"}
VISITOR = "share-link visitor"
# visibility -> (upload fields, who may read); the readers are written out, not computed.
DOCUMENTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "private": ({"visibility": "private"}, {OWNER, *ADMINS}),
    "team": ({"visibility": "team"}, {*NORTH, *ADMINS}),
    "org": ({"visibility": "org"}, set(PEOPLE)),
    "customuser": ({"visibility": "custom", "grants": "viewer.s@example.com:read"},
                   {OWNER, *ADMINS, "viewer.s@example.com"}),
    "customteam": ({"visibility": "custom", "grants": "south:read"}, {OWNER, *ADMINS, *SOUTH}),
    "deleted": ({"visibility": "org"}, set()),  # everyone could read it until it was purged
    "trashed": ({"visibility": "org"}, set()),  # ... until it went to the trash
}
SHARED = "private"  # the visitor holds a link to this document, and had one to each GONE
DELETED = "deleted"
TRASHED = "trashed"
GONE = (DELETED, TRASHED)


@dataclass
class Doc:
    name: str
    document_id: int
    version_id: int
    body: bytes

    @property
    def marker(self) -> str:
        return f"zq{self.name}"

    @property
    def tag(self) -> str:
        return f"tag-{self.name}"

    @property
    def product(self) -> str:
        return f"prod-{self.name}"

    @property
    def customer(self) -> str:
        return f"Cust {self.name}"


@dataclass
class World:
    web: Web
    docs: list[Doc]
    customer_id: int
    customer_ids: dict[str, int]
    share_paths: dict[str, str]
    browsers: dict[str, Browser] = field(default_factory=dict)
    north_team: int = 0


def _build(web: Web) -> World:
    accounts.create_team(web.ctx, "north")
    accounts.create_team(web.ctx, "south")
    for email, (role, team) in PEOPLE.items():
        accounts.create_user(web.ctx, email, role, teams=[team], password=PASSWORD)
    owner = web.signed_in(OWNER)
    owner.api("POST", "/api/v1/customers", json={"name": "MatrixCo", "industry": "Rail"})
    followers = {email: web.signed_in(email) for email in PEOPLE}
    for follower in followers.values():  # told of each new document they may read
        for name in DOCUMENTS:
            follower.api("POST", "/api/v1/following", json={"kind": "product",
                                                            "product": f"prod-{name}"})
    docs = []
    for name, (fields, _readers) in DOCUMENTS.items():
        body = f"matrixcommon zq{name} clause".encode()
        outcome = owner.upload(f"matrix-{name}.txt", body, customer=f"Cust {name}",
                               product=f"prod-{name}", tags=f"tag-{name}", **fields)
        docs.append(Doc(name, outcome["document_id"], outcome["version_id"], body))
    web.settle(*(doc.version_id for doc in docs))
    settle_outbox(web.ctx)
    for follower in followers.values():  # refused where they may not read it
        for doc in docs:
            follower.api("POST", "/api/v1/following", json={"kind": "document",
                                                            "id": doc.document_id})
    for doc in docs:  # a use of every document, for the usage reports
        assert owner.get(f"/d/{doc.document_id}").status_code == 200
    share_paths = {}
    for doc in docs:
        if doc.name in (SHARED, *GONE):
            link = owner.api("POST", f"/api/v1/documents/{doc.document_id}/shares", json={})
            share_paths[doc.name] = link.get_json()["url"].replace("http://localhost", "")
    for doc in docs:
        if doc.name in GONE:  # both to the trash; an admin purges one
            assert owner.api("DELETE", f"/api/v1/documents/{doc.document_id}").status_code == 204
    deleted = next(doc for doc in docs if doc.name == DELETED)
    admin = web.signed_in("admin.n@example.com")
    assert admin.api("DELETE", f"/api/v1/trash/{deleted.document_id}").status_code == 204
    analytics.roll_up(web.ctx)
    customer_ids = {c["name"]: c["customer_id"] for c in owner.get("/api/v1/customers").get_json()}
    world = World(web, docs, customer_ids["MatrixCo"], customer_ids, share_paths)
    world.browsers = {email: web.signed_in(email) for email in PEOPLE}
    world.browsers[VISITOR] = web.browser()
    world.north_team = owner.get("/api/v1/me").get_json()["team_ids"][0]
    return world


# Read paths: each answers "did this person get to see this document?"
Path = Callable[[Browser, World, Doc], bool]


def _ok(browser: Browser, url: str) -> bool:
    response = browser.get(url)
    assert response.status_code in (200, 302, 400, 401, 404), (url, response.status_code)
    return response.status_code == 200


def _json_ids(browser: Browser, url: str, key: str = "document_id") -> set[int]:
    response = browser.get(url)
    if response.status_code != 200:
        return set()
    body = response.get_json()
    rows = body["hits"] if "hits" in body else body["versions"]
    return {row[key] for row in rows}


def _exported(browser: Browser, url: str, doc: Doc) -> bool:
    """Whether the export zip at ``url`` holds the document's file."""
    response = browser.get(url)
    if response.status_code != 200:
        return False
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return any(archive.read(name) == doc.body for name in archive.namelist()
               if name.startswith("files/"))


def _search_page(browser: Browser) -> str:
    response = browser.get("/?q=matrixcommon")
    return text_of(response) if response.status_code == 200 else ""



def _page(browser: Browser, url: str) -> str:
    response = browser.get(url)
    return text_of(response) if response.status_code == 200 else ""


def _report_ids(browser: Browser, name: str, query: str = "") -> set[int]:
    response = browser.get(f"/api/v1/reports/{name}?{query}")
    if response.status_code == 401:  # not signed in
        return set()
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["document_id"] for table in response.get_json()["tables"]
            for row in table["rows"]}


PATHS: dict[str, Path] = {
    "search page hit": lambda b, w, d: f'data-document-id="{d.document_id}"' in _search_page(b),
    "search page snippet": lambda b, w, d: d.marker in _search_page(b),
    "search page facet": lambda b, w, d: f">{d.tag}</a>" in _search_page(b),
    "api search hit": lambda b, w, d: d.document_id in _json_ids(
        b, "/api/v1/search?q=matrixcommon&limit=100"),
    "api search snippet": lambda b, w, d: d.marker in (
        b.get("/api/v1/search?q=matrixcommon").get_data(as_text=True)),
    "api facet count": lambda b, w, d: d.tag in str(
        (b.get("/api/v1/search?q=matrixcommon").get_json() or {}).get("facets", {})),
    "api older versions": lambda b, w, d: d.document_id in _json_ids(
        b, "/api/v1/search?q=matrixcommon&all_versions=true"),
    "document page": lambda b, w, d: _ok(b, f"/d/{d.document_id}"),
    "text preview page": lambda b, w, d: d.marker in text_of(b.get(
        f"/d/{d.document_id}?v={d.version_id}")),
    "text preview redirect": lambda b, w, d: b.get(f"/v/{d.version_id}/text").status_code
    == 302 and "/d/" in b.get(f"/v/{d.version_id}/text").location,
    "download page": lambda b, w, d: b.get(f"/v/{d.version_id}/download").data == d.body,
    "latest link": lambda b, w, d: b.get(f"/d/{d.document_id}/latest").data == d.body,
    "customer page": lambda b, w, d: f'data-document-id="{d.document_id}"' in text_of(
        b.get(f"/customers/{w.customer_ids[d.customer]}")),
    "api customer documents": lambda b, w, d: d.document_id in _json_ids(
        b, f"/api/v1/customers/{w.customer_ids[d.customer]}/documents"),
    "api document": lambda b, w, d: _ok(b, f"/api/v1/documents/{d.document_id}"),
    "api versions": lambda b, w, d: _ok(b, f"/api/v1/documents/{d.document_id}/versions"),
    "api version": lambda b, w, d: _ok(b, f"/api/v1/versions/{d.version_id}"),
    "api text": lambda b, w, d: d.marker in b.get(
        f"/api/v1/versions/{d.version_id}/text").get_data(as_text=True),
    "api download": lambda b, w, d: b.get(f"/api/v1/versions/{d.version_id}/download"
                                          ).data == d.body,
    "api latest": lambda b, w, d: _ok(b, f"/api/v1/documents/{d.document_id}/latest"),
    "api latest download": lambda b, w, d: b.get(
        f"/api/v1/documents/{d.document_id}/latest/download").data == d.body,
    "api latest by product": lambda b, w, d: _ok(b, f"/api/v1/latest?product={d.product}"),
    "following page": lambda b, w, d: f"matrix-{d.name}<" in text_of(b.get("/following")),
    "api following": lambda b, w, d: d.document_id in {
        f["target_id"] for f in (b.get("/api/v1/following").get_json() or [])
        if isinstance(f, dict) and f["kind"] == "document"},
    "export zip": lambda b, w, d: _exported(b, "/export.zip?all=1", d),
    "export zip of a customer": lambda b, w, d: _exported(
        b, f"/export.zip?customer={d.customer}", d),
    "export zip of a search": lambda b, w, d: _exported(b, "/export.zip?q=matrixcommon", d),
    "usage report": lambda b, w, d: f"matrix-{d.name}" in _page(b, "/reports/usage"),
    "usage report csv": lambda b, w, d: any(f"matrix-{d.name}" in _page(
        b, f"/reports/usage/{table}.csv") for table in ("most_used", "unused")),
    "api usage report": lambda b, w, d: d.document_id in _report_ids(b, "usage"),
    "api usage report of a team": lambda b, w, d: d.document_id in _report_ids(
        b, "usage", f"team_id={w.north_team}"),
    "api ingestion state": lambda b, w, d: d.version_id in _json_ids(
        b, f"/api/v1/ingestion?version_ids={','.join(str(x.version_id) for x in w.docs)}",
        "version_id"),
}


def _inbox_ids(browser: Browser) -> set[int]:
    response = browser.get("/api/v1/notifications")
    if response.status_code != 200:
        return set()
    return {n["document_id"] for n in response.get_json()["notifications"]}


# A notification of each new document to whoever follows its product, except its uploader.
INBOX_PATHS: dict[str, Path] = {
    "inbox page": lambda b, w, d: f'data-document-id="{d.document_id}"' in text_of(
        b.get("/inbox")),
    "api inbox": lambda b, w, d: d.document_id in _inbox_ids(b),
}
PATHS.update(INBOX_PATHS)


def _customer_listed(browser: Browser, doc: Doc) -> bool:
    response = browser.get("/api/v1/customers")
    return response.status_code == 200 and doc.customer in {
        c["name"] for c in response.get_json()}


# Paths showing a document's customer (not the document): seen by every editor and admin,
# and by a viewer who may read the document (the upload form is for editors and admins only).
CUSTOMER_PATHS: dict[str, Path] = {
    "api customer list": lambda b, w, d: _customer_listed(b, d),
    "customer list page": lambda b, w, d: d.customer in text_of(b.get("/customers")),
    "upload form customers": lambda b, w, d: d.customer in text_of(b.get("/upload")),
    "api customer": lambda b, w, d: _ok(b, f"/api/v1/customers/{w.customer_ids[d.customer]}"),
    "customer page itself": lambda b, w, d: _ok(b, f"/customers/{w.customer_ids[d.customer]}"),
}
PATHS.update(CUSTOMER_PATHS)


def _share_path(world: World, doc: Doc) -> str:
    """The link to ``doc`` if one was made, else the link to SHARED (it must not show ``doc``)."""
    return world.share_paths.get(doc.name, world.share_paths[SHARED])


SHARE_PATHS: dict[str, Path] = {
    "share page": lambda b, w, d: d.marker in text_of(b.get(_share_path(w, d)))
    or f"matrix-{d.name}" in text_of(b.get(_share_path(w, d))),
    "share download": lambda b, w, d: b.get(_share_path(w, d) + "/download").data == d.body,
}


# The trash (not a read path of the document itself): its owner and admins see it there.
TRASH_PATHS: dict[str, Path] = {
    "trash page": lambda b, w, d: f'data-document-id="{d.document_id}"' in text_of(
        b.get("/trash")),
    "api trash": lambda b, w, d: d.document_id in {
        row["document_id"] for row in (b.get("/api/v1/trash").get_json() or [])}
    if b.get("/api/v1/trash").status_code == 200 else False,
}
PATHS.update(TRASH_PATHS)


def _expected(person: str, doc: Doc, path: str) -> bool:
    if person == VISITOR:
        return path in SHARE_PATHS and doc.name == SHARED
    if path in TRASH_PATHS:
        return doc.name == TRASHED and person in {OWNER, *ADMINS}
    if path in CUSTOMER_PATHS and PEOPLE[person][0] in ("admin", "editor"):
        return True
    if path == "upload form customers" or (path in INBOX_PATHS and person == OWNER):
        return False
    return doc.name in DOCUMENTS and person in DOCUMENTS[doc.name][1]


@pytest.mark.slow
def test_permission_matrix(web: Web) -> None:
    world = _build(web)
    leaks, denials, cells = [], [], 0
    for person, browser in world.browsers.items():
        paths = {**PATHS, **SHARE_PATHS} if person == VISITOR else PATHS
        for doc in world.docs:
            for path_name, path in paths.items():
                cells += 1
                seen, allowed = path(browser, world, doc), _expected(person, doc, path_name)
                if seen and not allowed:
                    leaks.append((person, doc.name, path_name))
                elif allowed and not seen:
                    denials.append((person, doc.name, path_name))
    print(f"\npermission matrix: {cells} cells, {len(leaks)} leaks, "
          f"{len(denials)} wrong denials")
    assert cells == len(PEOPLE) * len(DOCUMENTS) * len(PATHS) + len(DOCUMENTS) * (
        len(PATHS) + len(SHARE_PATHS))
    assert leaks == [], leaks
    assert denials == [], denials
