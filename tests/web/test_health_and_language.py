"""/healthz, security headers, and the whole UI in Chinese (the catalogue's completeness is
checked in tests/unit/test_catalogues.py)."""

from __future__ import annotations

from tests.web.conftest import Browser, Web, text_of


def test_healthz_reports_every_port(web: Web) -> None:
    response = web.app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True
    assert {"database", "blob_store", "search_index", "queue"} <= set(body)


def test_pages_carry_security_headers(alice: Browser) -> None:
    response = alice.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_whole_ui_switches_to_chinese(web: Web, alice: Browser) -> None:
    alice.post("/language", {"lang": "zh-CN", "next": "/"})
    doc_id = alice.upload("合同.txt", b"contract", category="contract", subtype="signed")[
        "document_id"]
    for path, words in (("/", ["搜索", "上传", "客户", "审计日志"]),
                        ("/upload", ["将文件或文件夹拖放到这里", "可见范围"]),
                        (f"/d/{doc_id}", ["版本", "下载最新版本", "合同", "已签署"]),
                        ("/customers", ["新建客户"]), ("/audit", ["筛选"]),
                        ("/account", ["API 令牌"])):
        page = text_of(alice.get(path))
        assert all(word in page for word in words), (path, words)
