"""Issue 14's walk: a sales-ops person drops a folder of contracts into the intake folder
and mails three more to the intake mailbox; then every contract is on the right customer's
page, and the customers are found by type and stage, with no manual linking."""

from __future__ import annotations

from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap, start_workers
from docservice.domain import OPERATOR
from docservice.inputs import NewCustomer
from docservice.services import accounts, customers, scheduler
from tests.conftest import embedded_settings
from tests.factories import pdf_bytes
from tests.imap import Attachment, private_mailbox, raw_message, rfc2231_name
from tests.mailbox import smtp_server

pytestmark = pytest.mark.services

RULES = """
[[rule]]
to = "contracts+*@intake.test"
category = "contract"
customer = "{plus}"

[[rule]]
subject = "Umbrella"
category = "contract"
customer = "Umbrella Corp"

[[rule]]
from = "carol@example.com"
category = "contract"
customer = "Hooli"
"""

CUSTOMERS = [  # name, type, stage, aliases
    ("Acme Industrial", "current", "won", []),
    ("Globex", "current", "negotiation", []),
    ("East China Trading", "prospect", "proposal", ["华东贸易"]),
    ("Initech", "prospect", "negotiation", []),
    ("Umbrella Corp", "partner", "won", []),
    ("Hooli", "churned", "lost", []),
]

DROPPED = {  # path under the intake folder: the customer whose page shows it
    "contracts/Acme Industrial/Acme supply agreement 2026.pdf": "Acme Industrial",
    "contracts/Acme Industrial/Acme service addendum.pdf": "Acme Industrial",
    "contracts/signed/Globex/Globex framework.pdf": "Globex",
    "合同/华东贸易/华东贸易 采购合同.pdf": "East China Trading",
}


def test_dropped_and_mailed_contracts_land_on_their_customers_pages(tmp_path: Path) -> None:
    intake = tmp_path / "intake"
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    with private_mailbox() as mailbox, smtp_server() as answers:
        ctx = bootstrap(embedded_settings(
            tmp_path / "data", scheduler_interval_s=0, intake_dirs=(intake,),
            intake_owner="ops@example.com", mail_rules=rules, smtp_host="127.0.0.1",
            smtp_port=answers.port, smtp_security="none", **mailbox.settings()))
        try:
            start_workers(ctx)
            for email in ("ops@example.com", "carol@example.com"):
                accounts.create_user(ctx, email, "editor", teams=["sales"])
            ids = {name: customers.create_customer(ctx, OPERATOR, NewCustomer(
                name=name, type=type_, stage=stage, aliases=aliases))
                for name, type_, stage, aliases in CUSTOMERS}

            for name in DROPPED:
                (intake / name).parent.mkdir(parents=True, exist_ok=True)
                (intake / name).write_bytes(pdf_bytes([f"Contract: {Path(name).stem}"]))
            contract = pdf_bytes(["Contract"])
            mailbox.deliver(
                raw_message("ops@example.com", "Contracts <contracts+initech@intake.test>",
                            "Initech licence", attachments=[Attachment(
                                "application/pdf", 'filename="Initech licence.pdf"',
                                pdf_bytes(["Initech licence contract"]))]),
                raw_message("ops@example.com", "intake@intake.test", "Umbrella renewal",
                            attachments=[Attachment("application/pdf", rfc2231_name(
                                "Umbrella 续约合同.pdf", "utf-8"), contract + b"\n%u")]),
                raw_message("carol@example.com", "intake@intake.test", "signed copy",
                            attachments=[Attachment("application/pdf",
                                                    'filename="Hooli MSA.pdf"',
                                                    contract + b"\n%h")]))

            for _poll in range(2):  # a dropped file is taken at its second poll
                scheduler.run_task(ctx, OPERATOR, "intake.folders")
            assert scheduler.run_task(ctx, OPERATOR, "intake.mail").summary == "3 imported"

            ops = accounts.principal_for(ctx, "ops@example.com")
            pages = {name: sorted(item.title for item in customers.customer_material(
                ctx, ops, customer_id).contracts) for name, customer_id in ids.items()}
            assert pages == {
                "Acme Industrial": ["Acme service addendum", "Acme supply agreement 2026"],
                "Globex": ["Globex framework"],
                "East China Trading": ["华东贸易 采购合同"],
                "Initech": ["Initech licence"],
                "Umbrella Corp": ["Umbrella 续约合同"],
                "Hooli": ["Hooli MSA"],
            }
            in_negotiation = customers.list_customers(ctx, ops, type="prospect",
                                                      stage="negotiation")
            assert [c.name for c in in_negotiation] == ["Initech"]
            assert sorted(p.name for p in (intake / "done").rglob("*.pdf")) == \
                sorted(Path(name).name for name in DROPPED)
        finally:
            ctx.close()
