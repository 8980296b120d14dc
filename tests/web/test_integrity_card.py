"""The Users & teams page shows the last integrity check, in English and Chinese."""

from __future__ import annotations

import io
from datetime import timedelta

from bs4 import BeautifulSoup

from docservice.domain import OPERATOR
from docservice.services import integrity
from tests.web.conftest import Browser, Web, text_of


def _card(browser: Browser) -> str:
    page = BeautifulSoup(text_of(browser.get("/admin/users")), "html.parser")
    card = page.select_one("section.integrity-check")
    assert card is not None
    return " ".join(card.get_text(" ", strip=True).split())


def test_the_admin_page_shows_the_last_check_and_what_it_found(web: Web,
                                                               admin: Browser) -> None:
    assert "No check has run yet." in _card(admin)
    orphan = web.ctx.blobs.put(io.BytesIO(b"a file no version uses"))
    integrity.check(web.ctx, OPERATOR, grace=timedelta(0))
    card = _card(admin)
    assert "Checked: 0 versions, 1 stored files, 0 index entries." in card
    assert "1 problem remains." in card and "file without a version: 1" in card
    assert orphan.key in card
    admin.post("/language", {"lang": "zh-CN", "next": "/"})
    chinese = _card(admin)
    assert "完整性检查" in chinese and "仍有 1 个问题。" in chinese
    assert "没有对应版本的文件: 1" in chinese
    integrity.check(web.ctx, OPERATOR, repair=True, grace=timedelta(0))
    assert "已修复 1 个。" in _card(admin)
