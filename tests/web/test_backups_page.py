"""Scheduled backups: the ``backup`` task backs up to DOCSERVICE_BACKUP_DEST keeping the
newest DOCSERVICE_BACKUP_KEEP snapshots, and the admin page shows the last one (en, zh)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.bootstrap import backup_target, bootstrap
from docservice.domain import OPERATOR
from docservice.services import accounts, backup, scheduler
from docservice.services.context import Context
from docservice.web import create_app
from tests.conftest import embedded_settings
from tests.web.conftest import PASSWORD, Browser, Web, text_of


@pytest.fixture
def scheduled(tmp_path: Path) -> Iterator[Web]:
    ctx = bootstrap(embedded_settings(tmp_path / "data", backup_dest=str(tmp_path / "bk"),
                                      backup_keep=2))
    accounts.create_user(ctx, "admin@example.com", "admin", password=PASSWORD)
    accounts.create_user(ctx, "alice@example.com", "editor", teams=["sales"], password=PASSWORD)
    yield Web(ctx, create_app(ctx, {"TESTING": True}))
    ctx.close()


def _run_backup(ctx: Context) -> scheduler.Ran:
    ran = scheduler.run_task(ctx, OPERATOR, "backup")
    assert ran.state == scheduler.DONE, ran.error
    return ran


def test_scheduled_backups_keep_the_newest_and_show_on_the_admin_page(scheduled: Web) -> None:
    web = scheduled
    admin = web.signed_in("admin@example.com")
    assert "No backup yet." in text_of(admin.get("/admin/users"))
    alice = web.signed_in("alice@example.com")
    outcome = alice.upload("price.txt", b"price list 2024", visibility="org")
    web.settle(outcome["version_id"])
    summaries = [_run_backup(web.ctx).summary for _ in range(3)]
    assert "1 documents, 1 versions, 1 files (1 new" in str(summaries[0])
    assert "(0 new" in str(summaries[2])
    target = backup_target(web.ctx.settings, web.ctx.settings.backup_dest)
    assert len(backup.snapshots(target)) == 2  # DOCSERVICE_BACKUP_KEEP=2
    page = text_of(admin.get("/admin/users"))
    assert "Last backup:" in page
    assert "1 documents, 1 versions, 1 files (0 new); 2 backups kept" in page
    assert "keep it separately" in page
    page = text_of(admin.get("/admin/users", headers={"Accept-Language": "zh-CN"}))
    assert "最近一次备份" in page and "保留 2 份备份" in page
    assert alice.get("/admin/users").status_code == 403


def test_without_a_destination_the_task_says_so(web: Web, admin: Browser) -> None:
    ran = _run_backup(web.ctx)
    assert ran.summary == "no backup destination set (DOCSERVICE_BACKUP_DEST): nothing backed up"
    assert "No scheduled backups: set DOCSERVICE_BACKUP_DEST" in text_of(admin.get("/admin/users"))
