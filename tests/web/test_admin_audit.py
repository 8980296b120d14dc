"""Admin pages for users and teams; the audit log for admins and owners."""

from __future__ import annotations

from datetime import date, timedelta

from docservice.views import UserView
from tests.web.conftest import PASSWORD, Browser, Web, text_of


def test_admins_create_teams_and_users_who_can_then_sign_in(web: Web, admin: Browser) -> None:
    assert admin.post("/admin/teams", {"name": "service"}).status_code == 302
    admin.post("/admin/users", {"email": "erin@example.com", "name": "Erin", "role": "editor",
                                "teams": ["service"], "password": PASSWORD})
    page = text_of(admin.get("/admin/users"))
    assert "erin@example.com" in page and "service" in page
    assert web.signed_in("erin@example.com").get("/upload").status_code == 200


def test_admins_change_roles_teams_and_disable_accounts(web: Web, admin: Browser) -> None:
    bob_id = next(u.user_id for u in _users(admin) if u.email == "bob@example.com")
    admin.post(f"/admin/users/{bob_id}", {"role": "editor", "teams": ["marketing"],
                                          "active": "1"})
    bob = next(u for u in _users(admin) if u.email == "bob@example.com")
    assert bob.role == "editor" and bob.teams == ("marketing",)
    signed_in = web.signed_in("bob@example.com")
    admin.post(f"/admin/users/{bob_id}", {"role": "editor", "teams": ["marketing"]})
    assert signed_in.get("/").status_code == 302  # the open session ends with the account
    assert web.browser().login("bob@example.com").status_code == 401


def _users(admin: Browser) -> list[UserView]:
    from docservice.services import users

    return users.list_users(admin.client.application.extensions["docservice"],
                            _admin_principal(admin))


def _admin_principal(admin: Browser):  # type: ignore[no-untyped-def]
    from docservice.services import accounts

    return accounts.principal_for(admin.client.application.extensions["docservice"],
                                  "admin@example.com")


def test_admin_form_errors_are_shown(web: Web, admin: Browser) -> None:
    admin_id = next(u.user_id for u in _users(admin) if u.email == "admin@example.com")
    demote = admin.post(f"/admin/users/{admin_id}", {"role": "viewer", "active": "1"},
                        follow_redirects=True)
    assert "cannot demote or disable your own account" in text_of(demote)
    dup = admin.post("/admin/users", {"email": "alice@example.com", "role": "viewer",
                                      "password": PASSWORD}, follow_redirects=True)
    assert "already exists" in text_of(dup)
    short = admin.post("/admin/users", {"email": "new@example.com", "role": "viewer",
                                        "password": "short"}, follow_redirects=True)
    assert "at least 8 characters" in text_of(short)
    assert admin.post("/admin/users/9999", {"role": "viewer"}).status_code == 404


def test_only_admins_manage_users(alice: Browser) -> None:
    assert alice.get("/admin/users").status_code == 403
    assert alice.post("/admin/teams", {"name": "x"}).status_code == 403
    assert "Users &amp; teams" not in text_of(alice.get("/"))


def test_audit_log_admins_see_all_owners_their_documents(web: Web, alice: Browser,
                                                         carol: Browser, admin: Browser) -> None:
    mine = alice.upload("alice.txt", b"alice's doc", visibility="org")
    theirs = carol.upload("carol.txt", b"carol's doc", visibility="org")
    alice.get(f"/d/{theirs['document_id']}")
    alice.get(f"/v/{mine['version_id']}/download")
    everything = text_of(admin.get("/audit"))
    assert "carol.txt" in everything and "alice.txt" in everything
    own = alice.get("/api/v1/audit").get_json()
    assert {e["document_id"] for e in own} == {mine["document_id"]}
    assert {"upload", "download"} <= {e["action"] for e in own}
    carols = carol.get("/api/v1/audit").get_json()
    assert {e["actor"] for e in carols if e["action"] == "view"} == {"alice@example.com"}


def test_audit_log_filters(web: Web, alice: Browser, admin: Browser) -> None:
    doc = alice.upload("f.txt", b"f")
    alice.get(f"/d/{doc['document_id']}")
    views = admin.get("/api/v1/audit?action=view&actor=alice").get_json()
    assert views and all(e["action"] == "view" for e in views)
    today = date.today()
    assert admin.get(f"/api/v1/audit?since={today - timedelta(days=1)}&until={today}"
                     ).get_json()
    assert admin.get(f"/api/v1/audit?since={today + timedelta(days=2)}").get_json() == []
    page = text_of(admin.get(f"/audit?document_id={doc['document_id']}&action=upload"))
    assert "f.txt" in page and "alice@example.com" in page
    assert admin.get("/api/v1/audit?action=explode").status_code == 400
    assert admin.get("/api/v1/audit?since=yesterday").status_code == 400
    assert admin.get("/api/v1/audit?limit=0").status_code == 400


def test_signing_out_is_in_the_audit_log(web: Web, bob: Browser, admin: Browser) -> None:
    before = admin.get("/api/v1/audit?action=logout&actor=bob").get_json()
    bob.post("/logout")
    events = admin.get("/api/v1/audit?action=logout&actor=bob").get_json()
    assert len(events) == len(before) + 1 and events[0]["actor"] == "bob@example.com"
    assert "sign-out" in text_of(admin.get("/audit?action=logout"))


def test_accounts_teams_tokens_customers_and_text_reads_are_audited(
        web: Web, alice: Browser, admin: Browser) -> None:
    alice.post("/account/tokens", {"name": "CRM sync"})
    token_id = alice.get("/api/v1/tokens").get_json()[0]["token_id"]
    alice.post(f"/account/tokens/{token_id}/revoke")
    admin.post("/admin/teams", {"name": "service"})
    admin.post("/admin/users", {"email": "erin@example.com", "role": "viewer",
                                "teams": ["service"], "password": PASSWORD})
    bob_id = next(u.user_id for u in _users(admin) if u.email == "bob@example.com")
    admin.post(f"/admin/users/{bob_id}", {"role": "editor", "teams": ["sales"], "active": "1"})
    admin.post(f"/admin/users/{bob_id}", {"role": "editor", "teams": ["sales"]})
    customer = alice.api("POST", "/api/v1/customers", json={"name": "Audit Co"}).get_json()
    alice.api("PATCH", f"/api/v1/customers/{customer['customer_id']}", json={"stage": "qualified"})
    doc = alice.upload("terms.txt", b"payment terms")
    web.settle(doc["version_id"])
    alice.get(f"/api/v1/versions/{doc['version_id']}/text")
    events = admin.get("/api/v1/audit?limit=500").get_json()

    def details(action: str) -> list[tuple[str, str]]:
        return [(e["actor"], e["detail"] or "") for e in events if e["action"] == action]

    assert details("token_create") == [("alice@example.com", f"token {token_id} CRM sync")]
    assert details("token_revoke") == [("alice@example.com", f"token {token_id} CRM sync")]
    assert details("team_create") == [("admin@example.com", "service")]
    assert details("user_create") == [("admin@example.com", "erin@example.com viewer")]
    bob_changes = [detail for actor, detail in details("user_update")
                   if actor == "admin@example.com" and detail.startswith("bob@example.com")]
    assert any("role viewer -> editor" in detail for detail in bob_changes)
    assert any("disabled" in detail for detail in bob_changes)
    assert ("alice@example.com", "Audit Co") in details("customer_create")
    texts = [e for e in events if e["action"] == "text"]
    assert [(e["actor"], e["version_id"]) for e in texts] == [
        ("alice@example.com", doc["version_id"])]
    page = text_of(admin.get("/audit"))
    for label in ("API token created", "API token revoked", "team created", "user created",
                  "user changed", "customer created", "customer changed", "text read"):
        assert label in page, label


def test_admins_see_failed_work_and_queue_it_again_with_one_button(
        web: Web, admin: Browser, alice: Browser) -> None:
    from sqlalchemy import update

    from docservice.db.models import Version
    from docservice.services.version_reader import INTERNAL_FAILURE

    outcome = alice.upload("gearbox-terms.txt", b"gearbox warranty terms", visibility="org")
    web.settle(outcome["version_id"])
    with web.ctx.uow() as uow:  # as an extraction that met an internal error leaves it
        uow.session.execute(update(Version).where(Version.id == outcome["version_id"])
                            .values(state="failed", state_reason=INTERNAL_FAILURE))
        uow.commit()
    assert "Retry failed work" in INTERNAL_FAILURE
    page = text_of(admin.get("/admin/users"))
    assert "1 version could not be read." in page
    assert "0 index updates or other side effects failed." in page
    assert alice.post("/admin/retry").status_code == 403
    done = admin.post("/admin/retry", follow_redirects=True)
    assert "Failed work queued again." in text_of(done)
    web.settle(outcome["version_id"])
    assert "0 versions could not be read." in text_of(admin.get("/admin/users"))
    audit = text_of(admin.get("/audit?action=retry"))
    assert "gearbox" in audit or "text extraction" in audit


def test_admins_see_scheduled_work_and_run_a_task_by_hand(web: Web, admin: Browser,
                                                           alice: Browser) -> None:
    page = text_of(admin.get("/admin/users"))
    assert "Scheduled work" in page and "sessions.purge" in page and "never ran" in page
    assert alice.post("/admin/schedule/sessions.purge").status_code == 403
    done = text_of(admin.post("/admin/schedule/sessions.purge", follow_redirects=True))
    assert "sessions.purge done: 0 expired sign-outs forgotten" in done
    # one task fewer never ran (the others, e.g. usage.rollup, still have not)
    assert done.count("never ran") == page.count("never ran") - 1 and "by hand" in done
    assert admin.post("/admin/schedule/no.such.task").status_code == 404
