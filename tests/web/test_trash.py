"""The trash: who sees and restores what, admins purge at once, and the daily job purges
what has been there longer than the trash days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from docservice.db.models import Document, utcnow
from docservice.services import deletion
from tests.web.conftest import Browser, Web, text_of


def _trashed(web: Web, alice: Browser, name: str) -> int:
    doc = alice.upload(f"{name}.txt", f"zqtrash {name} body".encode(), visibility="team")
    web.settle(doc["version_id"])
    assert alice.api("DELETE", f"/api/v1/documents/{doc['document_id']}").status_code == 204
    return int(doc["document_id"])


def test_the_owner_and_admins_see_the_trash_others_do_not(
        web: Web, alice: Browser, bob: Browser, carol: Browser, admin: Browser) -> None:
    doc = _trashed(web, alice, "offer")
    assert [item["document_id"] for item in alice.get("/api/v1/trash").get_json()] == [doc]
    assert [item["document_id"] for item in admin.get("/api/v1/trash").get_json()] == [doc]
    assert bob.get("/api/v1/trash").get_json() == []  # a teammate, not the owner
    assert carol.get("/api/v1/trash").get_json() == []
    assert "The trash is empty." in text_of(carol.get("/trash"))
    for person in (bob, carol):
        assert person.api("POST", f"/api/v1/trash/{doc}/restore").status_code == 404
        assert person.api("DELETE", f"/api/v1/trash/{doc}").status_code == 404
    refused = alice.api("DELETE", f"/api/v1/trash/{doc}")  # the owner may restore, not purge
    assert refused.status_code == 403 and "only an admin" in refused.get_json()["error"]["message"]
    item = admin.api("POST", f"/api/v1/trash/{doc}/restore").get_json()
    assert item["title"] == "offer" and item["deleted_by"] == "alice@example.com"
    assert alice.get(f"/api/v1/documents/{doc}").status_code == 200
    assert alice.api("POST", f"/api/v1/trash/{doc}/restore").status_code == 404  # not trashed


def test_an_admin_purges_at_once_from_the_trash_page(web: Web, alice: Browser,
                                                     admin: Browser) -> None:
    doc = _trashed(web, alice, "memo")
    page = text_of(admin.get("/trash"))
    assert "Delete for good" in page and "Delete for good" not in text_of(alice.get("/trash"))
    done = admin.post(f"/trash/{doc}/purge")
    assert done.status_code == 302
    assert "“memo” was deleted for good" in text_of(admin.get("/trash"))
    assert admin.get("/api/v1/trash").get_json() == []
    assert admin.api("POST", f"/api/v1/trash/{doc}/restore").status_code == 404


def test_the_daily_job_purges_after_the_trash_days(web: Web, alice: Browser) -> None:
    old, recent = _trashed(web, alice, "old"), _trashed(web, alice, "recent")
    with web.ctx.uow() as uow:  # "old" went to the trash 31 days ago
        uow.session.execute(update(Document).where(Document.id == old)
                            .values(deleted_at=utcnow() - timedelta(days=31)))
        uow.commit()
    assert deletion.purge_expired(web.ctx) == "1 documents purged after 30 days in the trash"
    assert [item["document_id"] for item in alice.get("/api/v1/trash").get_json()] == [recent]
    assert deletion.purge_expired(web.ctx).startswith("0 documents")  # safe to run again


def test_the_command_line_trashes_restores_and_purges(web: Web, alice: Browser) -> None:
    from click.testing import CliRunner

    from docservice.cli import main

    doc = alice.upload("cli.txt", b"zqtrash cli body")["document_id"]
    env = {f"DOCSERVICE_{key.upper()}": str(value) for key, value in
           (("data_dir", web.ctx.settings.data_dir),)}
    runner = CliRunner(env=env)
    moved = runner.invoke(main, ["delete", str(doc)], catch_exceptions=False)
    assert moved.exit_code == 0 and "moved 'cli' to the trash" in moved.output
    listed = runner.invoke(main, ["trash"], catch_exceptions=False)
    assert f"{doc}  cli  deleted" in listed.output
    back = runner.invoke(main, ["restore-document", str(doc)], catch_exceptions=False)
    assert back.exit_code == 0 and "restored 'cli'" in back.output
    gone = runner.invoke(main, ["delete", str(doc), "--purge", "--yes"], catch_exceptions=False)
    assert gone.exit_code == 0 and "deleted 'cli'" in gone.output
    assert runner.invoke(main, ["restore-document", str(doc)]).exit_code == 1
