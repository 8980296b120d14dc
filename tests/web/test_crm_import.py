"""Customers imported from CRM exports (Zoho CRM Accounts, 纷享销客 客户), and found by CRM id."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from docservice.cli import main
from docservice.domain import OPERATOR
from docservice.errors import InvalidInput, PermissionDenied
from docservice.services import accounts, crm_import
from tests.web.conftest import Browser, Web

ZOHO_HEADER = ["Record Id", "Account Owner", "Account Name", "Account Type", "Industry",
               "Billing City", "Billing Country", "Stage"]
FXIAOKE_HEADER = ["数据ID", "客户名称", "客户编号", "客户级别", "成交状态", "行业", "地区",
                  "客户阶段", "英文名称"]


def zoho_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([ZOHO_HEADER, *rows])
    return out.getvalue().encode("utf-8-sig")


def fxiaoke_xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in [FXIAOKE_HEADER, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zoho_rows(count: int) -> list[list[str]]:
    kinds = ["Customer", "Prospect", "Partner", "Former Customer"]
    stages = ["Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"]
    return [[f"4876{i:08d}", "Sam Sales", f"Zoho Account {i}", kinds[i % 4], "Manufacturing",
             "Berlin", "Germany", stages[i % 4]] for i in range(count)]


def fxiaoke_rows(count: int) -> list[list[str]]:
    return [[f"65a1{i:06d}", f"深圳客户{i}有限公司", f"KH{i:05d}", "A类",
             "已成交" if i % 2 else "未成交", "制造业", "广东省深圳市", "商务谈判",
             f"Shenzhen Client {i}"] for i in range(count)]


def test_a_zoho_and_a_fxiaoke_export_import_once_and_the_second_time_change_nothing(
        web: Web) -> None:
    zoho, fxiaoke = zoho_csv(zoho_rows(150)), fxiaoke_xlsx(fxiaoke_rows(150))
    first = [crm_import.import_customers(web.ctx, OPERATOR, data) for data in (zoho, fxiaoke)]
    assert [(r.source, r.created, r.updated, r.refused, r.applied) for r in first] == [
        ("zoho", 150, 0, 0, True), ("fxiaoke", 150, 0, 0, True)]
    again = [crm_import.import_customers(web.ctx, OPERATOR, data) for data in (zoho, fxiaoke)]
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 150), (0, 0, 150)]
    acme = crm_import.customer_by_crm(web.ctx, OPERATOR, "zoho", "487600000002")
    assert (acme.name, acme.type, acme.stage, acme.region) == (
        "Zoho Account 2", "partner", "negotiation", "Berlin")
    assert acme.crm_link == "https://crm.zoho.com/crm/tab/Accounts/487600000002"
    china = crm_import.customer_by_crm(web.ctx, OPERATOR, "fxiaoke", "65a1000001")
    assert (china.type, china.stage, china.aliases) == ("current", "negotiation",
                                                        ("Shenzhen Client 1",))


def test_a_later_export_updates_what_changed_and_keeps_the_former_name(web: Web) -> None:
    crm_import.import_customers(web.ctx, OPERATOR, zoho_csv(zoho_rows(3)))
    later = zoho_rows(3)
    later[1][2], later[1][7] = "Zoho Renamed AG", "Closed Lost"
    report = crm_import.import_customers(web.ctx, OPERATOR, zoho_csv(later))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    renamed = crm_import.customer_by_crm(web.ctx, OPERATOR, "zoho", "487600000001")
    assert (renamed.name, renamed.stage, renamed.aliases) == (
        "Zoho Renamed AG", "lost", ("Zoho Account 1",))


def test_a_bad_row_refuses_the_whole_import_with_a_reason_per_row(web: Web) -> None:
    rows = zoho_rows(4)
    rows[1][2] = ""                      # missing name
    rows[2][0] = rows[0][0]              # duplicate id
    rows[3][7] = "Waiting for Godot"     # unknown stage
    dry = crm_import.import_customers(web.ctx, OPERATOR, zoho_csv(rows), dry_run=True)
    reasons = {row.line: (row.action, row.reason) for row in dry.rows}
    assert reasons[2] == ("create", "")
    assert reasons[3] == ("refused", "missing name")
    assert reasons[4][0] == "refused" and "duplicate id" in reasons[4][1]
    assert reasons[5] == ("refused", "unknown stage waiting_for_godot")
    tried = crm_import.import_customers(web.ctx, OPERATOR, zoho_csv(rows))
    assert not tried.applied and tried.refused == 3
    assert accounts_customers(web) == []  # nothing half-imported


def accounts_customers(web: Web) -> list[str]:
    from docservice.services import customers
    return [c.name for c in customers.list_customers(web.ctx, OPERATOR)]


def test_only_admins_import_and_unknown_files_are_refused_clearly(web: Web) -> None:
    editor = accounts.principal_for(web.ctx, "alice@example.com")
    with pytest.raises(PermissionDenied):
        crm_import.import_customers(web.ctx, editor, zoho_csv(zoho_rows(1)))
    with pytest.raises(InvalidInput, match="header row"):
        crm_import.import_customers(web.ctx, OPERATOR, b"foo,bar\n1,2\n")


def test_the_api_finds_a_customer_and_its_documents_by_crm_id_for_those_who_may(
        web: Web, alice: Browser, bob: Browser) -> None:
    crm_import.import_customers(web.ctx, OPERATOR, fxiaoke_xlsx(fxiaoke_rows(2)))
    path = "/api/v1/customers/by-crm/fxiaoke/65a1000001"
    assert bob.get(path).status_code == 404  # a viewer who reads none of its documents
    assert alice.get(path).get_json()["name"] == "深圳客户1有限公司"
    outcome = alice.upload("contract.txt", b"signed contract", customer="Shenzhen Client 1",
                           category="contract")
    web.settle(outcome["version_id"])
    assert bob.get(path).status_code == 200  # now he reads one of them
    hits = alice.get(path + "/documents").get_json()["hits"]
    assert [hit["document_id"] for hit in hits] == [outcome["document_id"]]
    assert alice.get("/api/v1/customers/by-crm/zoho/65a1000001").status_code == 404


def test_the_command_imports_with_a_dry_run_first(tmp_path: Path) -> None:
    export = tmp_path / "accounts.csv"
    export.write_bytes(zoho_csv(zoho_rows(5)))
    runner = CliRunner(env={"DOCSERVICE_DATA_DIR": str(tmp_path / "data")})
    dry = runner.invoke(main, ["import-customers", str(export), "--dry-run"])
    assert dry.exit_code == 0 and "5 created" in dry.output and "would be imported" in dry.output
    done = runner.invoke(main, ["import-customers", str(export), "--json"])
    assert json.loads(done.output)["created"] == 5
    again = runner.invoke(main, ["import-customers", str(export), "--source", "zoho"])
    assert "0 created, 0 updated, 5 unchanged, 0 refused" in again.output
    listed = runner.invoke(main, ["customers", "--type", "partner"])
    assert "Zoho Account 2" in listed.output and "zoho:487600000002" in listed.output
