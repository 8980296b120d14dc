"""E-mail intake against a real IMAP server (dovecot on loopback, from services-up.sh):
messages are delivered with IMAP APPEND, the scheduled task polls, and the tests look at
the documents, the folders and the answers a person would see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docservice.bootstrap import bootstrap, start_workers
from docservice.domain import OPERATOR
from docservice.inputs import NewCustomer
from docservice.services import accounts, customers, documents, mail_intake, scheduler
from docservice.services import search as search_service
from docservice.services.context import Context
from tests.conftest import embedded_settings
from tests.factories import pdf_bytes
from tests.imap import (
    Attachment,
    IntakeMailbox,
    encoded_word,
    private_mailbox,
    raw_message,
    rfc2231_name,
)
from tests.mailbox import Mailbox, body_of, smtp_server

pytestmark = pytest.mark.services

RULES = """
[[rule]]
to = "contracts+*@intake.test"
category = "contract"
subtype = "signed"
customer = "{plus}"
tags = ["mailed"]

[[rule]]
subject = "報價"
tags = ["quote"]
"""


@pytest.fixture
def mailbox() -> Iterator[IntakeMailbox]:
    with private_mailbox() as found:
        yield found


@pytest.fixture
def answers() -> Iterator[Mailbox]:
    with smtp_server() as server:
        yield server


def intake_context(tmp_path: Path, mailbox: IntakeMailbox, answers: Mailbox,
                   rules: str = RULES, **overrides: object) -> Context:
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(rules, encoding="utf-8")
    settings = embedded_settings(
        tmp_path / "data", scheduler_interval_s=0, smtp_host="127.0.0.1",
        smtp_port=answers.port, smtp_security="none", mail_rules=rules_file,
        **{**mailbox.settings(), **overrides})
    ctx = bootstrap(settings)
    start_workers(ctx)
    return ctx


@pytest.fixture
def ctx(tmp_path: Path, mailbox: IntakeMailbox, answers: Mailbox) -> Iterator[Context]:
    context = intake_context(tmp_path, mailbox, answers)
    accounts.create_user(context, "alice@example.com", "editor", teams=["sales"])
    customers.create_customer(context, OPERATOR, NewCustomer(name="Acme"))
    yield context
    context.close()


def poll(ctx: Context) -> str:
    ran = scheduler.run_task(ctx, OPERATOR, "intake.mail")
    assert ran.state == "done", ran.error
    return ran.summary or ""


def test_mailed_documents_land_placed_and_the_rest_stays_with_a_reason(
        ctx: Context, mailbox: IntakeMailbox, answers: Mailbox) -> None:
    contract = raw_message(
        "Alice <alice@example.com>", "contracts+acme@intake.test",
        encoded_word("采购合同 AX-200", "gbk"),
        attachments=[Attachment("application/pdf", rfc2231_name("采购合同.pdf", "gb2312"),
                                pdf_bytes(["Purchase contract AX-200 between Acme and us"]))])
    quote = raw_message("alice@example.com", "intake@intake.test",
                        encoded_word("報價單 路由器", "big5"),
                        body="報價：工業路由器 AX-200 每台 1200 美元", body_charset="big5")
    stranger = raw_message("Mallory <mallory@elsewhere.test>", "intake@intake.test",
                           "Please file this", attachments=[Attachment(
                               "application/pdf", 'filename="x.pdf"', pdf_bytes(["x"]))])
    broken = raw_message("alice@example.com", "intake@intake.test", "Broken scan",
                         attachments=[Attachment("application/pdf", 'filename="broken.pdf"',
                                                 b"%PDF-1.7\n\x00\x01 not a pdf at all")])
    mailbox.deliver(contract, quote, stranger, broken)

    assert poll(ctx) == "1 failed, 2 imported, 1 refused"

    alice = accounts.principal_for(ctx, "alice@example.com")
    handled = {m.subject: m for m in mail_intake.recent_messages(ctx, OPERATOR)}
    assert set(handled) == {"采购合同 AX-200", "報價單 路由器", "Please file this", "Broken scan"}
    (contract_id,) = handled["采购合同 AX-200"].document_ids
    placed = documents.get_document(ctx, alice, contract_id)
    assert (placed.category, placed.subtype, placed.customer, placed.owner) == \
        ("contract", "signed", "Acme", "alice@example.com")
    assert "mailed" in placed.tags
    assert documents.latest_version(ctx, alice, contract_id).filename == "采购合同.pdf"

    (quote_id,) = handled["報價單 路由器"].document_ids
    quoted = documents.get_document(ctx, alice, quote_id)
    assert quoted.title == "報價單 路由器" and "quote" in quoted.tags
    hits = search_service.search(ctx, alice, "工業路由器").hits
    assert quote_id in {hit.document_id for hit in hits}

    assert handled["Please file this"].state == "refused"
    (answer,) = answers.wait(1)
    assert answer["To"] == "mallory@elsewhere.test"
    assert "not imported" in answer["Subject"] and "未导入" in body_of(answer) + answer["Subject"]

    failed = handled["Broken scan"]
    assert failed.state == "failed" and "broken.pdf" in (failed.reason or "")
    assert mailbox.subjects(mailbox.inbox) == ["Broken scan"]
    assert (b"\\Flagged" in mailbox.flags(mailbox.inbox)[0])
    assert len(mailbox.subjects(mailbox.processed)) == 3

    # The same message again (as after a crash before it was moved): not imported twice;
    # the failed one is left alone until an admin retries it.
    mailbox.deliver(contract)
    assert poll(ctx) == "1 failed before, 1 imported before"
    assert len(mail_intake.recent_messages(ctx, OPERATOR)) == 4
    assert len(mailbox.subjects(mailbox.processed)) == 4
    mail_intake.retry(ctx, OPERATOR, failed.id)
    assert poll(ctx) == "1 failed"


def test_unknown_senders_are_only_logged_when_so_set(
        tmp_path: Path, mailbox: IntakeMailbox, answers: Mailbox) -> None:
    ctx = intake_context(tmp_path, mailbox, answers, mail_unknown_sender="log")
    try:
        mailbox.deliver(raw_message("mallory@elsewhere.test", "intake@intake.test", "Hi"))
        assert poll(ctx) == "1 refused"
        assert mailbox.subjects(mailbox.processed) == ["Hi"]
        assert answers.wait(1, timeout=1) == []
    finally:
        ctx.close()


def test_a_mistake_in_the_rules_fails_the_poll_naming_it(
        tmp_path: Path, mailbox: IntakeMailbox, answers: Mailbox) -> None:
    ctx = intake_context(tmp_path, mailbox, answers,
                         rules='[[rule]]\nto = "a@b"\ncategory = "contracts"\n')
    try:
        ran = scheduler.run_task(ctx, OPERATOR, "intake.mail")
        assert ran.state == "failed"
        assert "rule 1: unknown category 'contracts'" in (ran.error or "")
    finally:
        ctx.close()
