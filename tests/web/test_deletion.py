"""Deleting a document: a confirmation step, then it is in the trash and gone from every read
path and the index; purged for good (unused files with it) by an admin or after the trash
days; readers who may not change it are refused."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from docservice.db.models import utcnow
from docservice.services import accounts, tokens
from tests.web.conftest import Browser, Web, text_of

OLD, NEW = b"Liquidated damages zqdelete clause v1", b"Liquidated damages zqdelete clause v2"


def _contract(web: Web, alice: Browser) -> dict[str, int]:
    first = alice.upload("msa.txt", OLD, category="contract", tags="zqtag", visibility="team")
    second = alice.api("POST", f"/api/v1/documents/{first['document_id']}/versions",
                       data={"file": (io.BytesIO(NEW), "msa.txt")}).get_json()
    web.settle(first["version_id"], second["version_id"])
    return {"document_id": first["document_id"], "old": first["version_id"],
            "new": second["version_id"]}


def _share_path(alice: Browser, document_id: int) -> str:
    url = alice.api("POST", f"/api/v1/documents/{document_id}/shares", json={}).get_json()["url"]
    return str(url).replace("http://localhost", "")


def test_the_owner_deletes_from_the_document_page_after_confirming(web: Web,
                                                                    alice: Browser) -> None:
    ids = _contract(web, alice)
    doc = ids["document_id"]
    share = _share_path(alice, doc)
    assert "zqdelete" in text_of(alice.get("/?q=zqdelete"))
    page = text_of(alice.get(f"/d/{doc}"))
    assert f'href="/d/{doc}/delete"' in page
    confirm = text_of(alice.get(f"/d/{doc}/delete"))
    assert "Delete “msa”?" in confirm and "with all 2 versions" in confirm
    assert "v1 · msa.txt" in confirm and "restore it from the trash for 30 days" in confirm
    assert text_of(alice.get(f"/d/{doc}")).count("Download") >= 2  # nothing deleted yet

    forged = alice.client.post(f"/d/{doc}/delete")  # no CSRF token: another site's form
    assert forged.status_code == 400 and alice.get(f"/d/{doc}").status_code == 200

    done = alice.post(f"/d/{doc}/delete")
    assert done.status_code == 302 and done.location.endswith("/")
    purge_day = (utcnow() + timedelta(days=30)).date().isoformat()
    assert (f"“msa” was moved to the trash; you can restore it there until {purge_day}."
            in text_of(alice.get("/")))

    results = text_of(alice.get("/?q=zqdelete"))
    assert "No documents match" in results and f'data-document-id="{doc}"' not in results
    assert "zqtag" not in text_of(alice.get("/?q=liquidated"))
    for path in (f"/d/{doc}", f"/d/{doc}?v={ids['old']}", f"/d/{doc}/latest",
                 f"/v/{ids['old']}/download", f"/v/{ids['new']}/text", f"/d/{doc}/delete",
                 f"/api/v1/documents/{doc}", f"/api/v1/documents/{doc}/versions",
                 f"/api/v1/versions/{ids['new']}", f"/api/v1/versions/{ids['new']}/download",
                 f"/api/v1/versions/{ids['old']}/text", f"/api/v1/documents/{doc}/latest",
                 f"/api/v1/documents/{doc}/shares"):
        assert alice.get(path).status_code == 404, path
    assert web.browser().get(share).status_code == 404
    assert web.browser().get(share + "/download").status_code == 404
    api = alice.get("/api/v1/search?q=zqdelete&all_versions=true").get_json()
    assert api["total"] == 0 and api["hits"] == [] and "zqtag" not in str(api["facets"])
    assert alice.get(f"/api/v1/ingestion?version_ids={ids['old']},{ids['new']}"
                     ).get_json()["versions"] == []
    assert web.ctx.index.count() == 0

    trash = text_of(alice.get("/trash"))
    assert f'data-document-id="{doc}"' in trash and purge_day in trash
    restored = alice.post(f"/trash/{doc}/restore")
    assert restored.status_code == 302 and restored.location.endswith(f"/d/{doc}")
    assert "“msa” was restored." in text_of(alice.get(f"/d/{doc}"))
    assert f'data-document-id="{doc}"' in text_of(alice.get("/?q=zqdelete"))
    assert web.browser().get(share + "/download").data == NEW
    assert web.ctx.index.count() == 2


def test_files_no_other_document_uses_are_removed_shared_ones_stay(
        web: Web, alice: Browser, carol: Browser, admin: Browser) -> None:
    ids = _contract(web, alice)
    theirs = carol.upload("same-bytes.txt", OLD, visibility="team")  # another team, same bytes
    web.settle(theirs["version_id"])
    assert theirs["document_id"] != ids["document_id"]
    assert alice.api("DELETE", f"/api/v1/documents/{ids['document_id']}").status_code == 204
    assert web.ctx.blobs.exists(hashlib.sha256(NEW).hexdigest())  # in the trash: kept
    assert admin.api("DELETE", f"/api/v1/trash/{ids['document_id']}").status_code == 204
    assert carol.get(f"/api/v1/versions/{theirs['version_id']}/download").data == OLD
    assert web.ctx.blobs.exists(hashlib.sha256(OLD).hexdigest())
    assert not web.ctx.blobs.exists(hashlib.sha256(NEW).hexdigest())


def test_the_api_deletes_with_a_token_and_answers_404_afterwards(web: Web,
                                                                  alice: Browser) -> None:
    ids = _contract(web, alice)
    _id, raw = tokens.create_token(web.ctx, accounts.principal_for(web.ctx, "alice@example.com"))
    client = web.app.test_client()
    bearer = {"Authorization": f"Bearer {raw}"}
    gone = client.delete(f"/api/v1/documents/{ids['document_id']}", headers=bearer)
    assert gone.status_code == 204 and gone.data == b""
    again = client.delete(f"/api/v1/documents/{ids['document_id']}", headers=bearer)
    assert again.status_code == 404
    assert again.get_json()["error"]["message"] == f"document {ids['document_id']} not found"


def test_a_session_caller_needs_the_csrf_header_to_delete(web: Web, alice: Browser) -> None:
    ids = _contract(web, alice)
    forged = alice.client.delete(f"/api/v1/documents/{ids['document_id']}")
    assert forged.status_code == 400
    assert alice.get(f"/api/v1/documents/{ids['document_id']}").status_code == 200


def test_readers_who_may_not_change_it_are_refused_clearly(web: Web, alice: Browser,
                                                           bob: Browser) -> None:
    ids = _contract(web, alice)
    doc = ids["document_id"]
    assert "/delete" not in text_of(bob.get(f"/d/{doc}"))  # bob is a viewer in the team
    page = bob.get(f"/d/{doc}/delete")
    assert page.status_code == 403
    assert "you may read this document but not delete it" in text_of(page)
    assert bob.post(f"/d/{doc}/delete").status_code == 403
    refused = bob.api("DELETE", f"/api/v1/documents/{doc}")
    assert refused.status_code == 403
    message = "you may read this document but not delete it"
    assert refused.get_json()["error"] == {
        "code": "forbidden", "message": message, "localized_message": message}
    assert alice.get(f"/d/{doc}").status_code == 200


def test_people_who_cannot_read_it_learn_nothing(web: Web, alice: Browser,
                                                 carol: Browser) -> None:
    ids = _contract(web, alice)
    doc = ids["document_id"]
    missing = 10_000 + doc
    for path in (f"/api/v1/documents/{doc}", f"/api/v1/documents/{missing}"):
        answer = carol.api("DELETE", path)
        assert answer.status_code == 404
        assert re.sub(r"\d+", "N", answer.get_json()["error"]["message"]) == "document N not found"
    assert carol.post(f"/d/{doc}/delete").status_code == 404
    assert alice.get(f"/d/{doc}").status_code == 200


def test_the_audit_log_says_who_deleted_what(web: Web, alice: Browser, admin: Browser) -> None:
    ids = _contract(web, alice)
    doc = ids["document_id"]
    alice.post(f"/d/{doc}/delete")
    events = admin.get(f"/api/v1/audit?action=trash&document_id={doc}").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [("alice@example.com", "msa")]
    admin.post(f"/trash/{doc}/purge")
    events = admin.get(f"/api/v1/audit?action=purge&document_id={doc}").get_json()
    assert [(e["actor"], e["detail"]) for e in events] == [
        ("admin@example.com", "msa (v1 msa.txt, v2 msa.txt)")]
    page = text_of(admin.get("/audit?action=trash"))
    assert "moved to trash" in page and "alice@example.com" in page


def test_the_confirmation_speaks_chinese(web: Web, alice: Browser) -> None:
    ids = _contract(web, alice)
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    confirm = text_of(alice.get(f"/d/{ids['document_id']}/delete"))
    assert "删除“msa”？" in confirm and "30 天内" in confirm and "移入回收站" in confirm
    alice.post(f"/d/{ids['document_id']}/delete")
    assert "“msa”已移入回收站" in text_of(alice.get("/"))
    assert "回收站" in text_of(alice.get("/trash")) and "恢复" in text_of(alice.get("/trash"))
