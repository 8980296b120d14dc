"""E-mail intake: a mailbox polled over IMAP/TLS (task ``intake.mail``); each message's
attachments, or the message itself when it has none, become documents of the person who
sent it, placed by the rules (docservice/intake_rules.py).

Messages are never deleted: a handled one (imported, or refused because its sender is no
user) is moved to ``DOCSERVICE_MAIL_PROCESSED_FOLDER``; one that failed stays (flagged) or
goes to ``DOCSERVICE_MAIL_FAILED_FOLDER``, with its reason recorded for admins
(``docservice intake status``). Each message is recorded by mailbox and Message-ID before
it is moved, so a crash between the two never imports it twice.

IMAP client: imapclient (well kept, on top of imaplib): it speaks UIDs, MOVE and folder
names in modified UTF-7, and parses the answers, which imaplib leaves to the caller."""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import parseaddr

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy import delete, select

from docservice.config import Settings
from docservice.db.models import IntakeMessage
from docservice.db.repositories import aware, principal_of, record_event, user_by_email
from docservice.domain import SCHEDULER, Principal
from docservice.errors import (
    N_,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    UserNotFound,
)
from docservice.intake_rules import (
    RECIPIENT_HEADERS,
    Envelope,
    MailRule,
    load_rules,
    place_message,
    recipients_of,
)
from docservice.services.context import Context
from docservice.services.intake import IncomingFile, import_files
from docservice.services.mail import send
from docservice.services.texts import translator
from docservice.views import IntakeMessageView

log = logging.getLogger(__name__)

IMPORTED = "imported"
REFUSED = "refused"
FAILED = "failed"
ANSWER_REFUSAL = "intake.refusal"
REFUSAL_SUBJECT = N_("docservice: your message was not imported")
REFUSAL_TEXT = N_("Your message \"%(subject)s\" was not imported: the address %(sender)s "
                  "belongs to nobody who may add documents. Ask an administrator to add "
                  "you, then send it again.")
UNKNOWN_SENDER = "unknown sender"
REASON_LIMIT = 4000


@contextmanager
def _connected(settings: Settings) -> Iterator[IMAPClient]:
    context = ssl.create_default_context()
    if settings.mail_ca_file is not None:
        context.load_verify_locations(cafile=str(settings.mail_ca_file))
    try:
        client = IMAPClient(settings.mail_host, port=settings.mail_port, ssl=True,
                            ssl_context=context, timeout=settings.mail_timeout_s)
        client.login(settings.mail_user, settings.mail_password)
    except (OSError, IMAPClientError) as exc:
        raise ServiceUnavailable(N_("the intake mailbox is unavailable: %(error)s"),
                                 error=str(exc)) from exc
    try:
        yield client
    finally:
        try:
            client.logout()
        except (OSError, IMAPClientError):
            log.warning("intake mailbox: logging out failed", exc_info=True)


def mailbox_name(settings: Settings) -> str:
    return f"{settings.mail_user}@{settings.mail_host}:{settings.mail_port}/{settings.mail_folder}"


def poll(ctx: Context) -> str:
    """One look at the mailbox: handle every message in it; a one-line summary."""
    settings = ctx.settings
    if not settings.mail_host:
        return "e-mail intake off (DOCSERVICE_MAIL_HOST is not set)"
    rules = load_rules(settings.mail_rules)
    counts: Counter[str] = Counter()
    with _connected(settings) as client:
        for folder in (settings.mail_processed_folder, settings.mail_failed_folder):
            if folder and not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(settings.mail_folder)
        for uid in client.search(["NOT", "DELETED"]):
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            raw = fetched.get(b"BODY[]")
            if raw is None:  # gone meanwhile (another client moved it)
                continue
            state, fresh = handle_message(ctx, mailbox_name(settings), uid, raw, rules)
            counts[state if fresh else f"{state} before"] += 1
            _file_away(client, settings, uid, state, fresh)
    return ", ".join(f"{count} {state}" for state, count in sorted(counts.items())) \
        or "no messages"


def _file_away(client: IMAPClient, settings: Settings, uid: int, state: str,
               fresh: bool) -> None:
    if state in (IMPORTED, REFUSED):
        _move(client, uid, settings.mail_processed_folder)
    elif settings.mail_failed_folder:
        _move(client, uid, settings.mail_failed_folder)
    elif fresh:
        client.add_flags([uid], [b"\\Flagged"])


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)  # then the original goes: the copy is the message now
    client.delete_messages([uid])
    client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def message_key(message: Message, raw: bytes) -> str:
    """The message's Message-ID, or a digest of its bytes when it has none."""
    found = (message.get("Message-ID") or "").strip()
    return found[:500] if found else "sha256:" + hashlib.sha256(raw).hexdigest()


def handle_message(ctx: Context, mailbox: str, uid: int, raw: bytes,
                   rules: list[MailRule]) -> tuple[str, bool]:
    """Import, refuse or fail one message, unless it was handled before; its state and
    whether it was handled now."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    key = message_key(message, raw)
    with ctx.uow() as uow:
        state = uow.session.scalar(select(IntakeMessage.state).where(
            IntakeMessage.mailbox == mailbox, IntakeMessage.message_key == key))
    if state is not None:
        return state, False
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    subject = str(message.get("Subject", "")).strip()
    principal = _sender_principal(ctx, sender)
    record = IntakeMessage(mailbox=mailbox, message_key=key, uid=uid, sender=sender,
                           subject=subject[:2000])
    if principal is None:
        record.state, record.reason = REFUSED, UNKNOWN_SENDER
        _record(ctx, record, answer=_answerable(ctx.settings, message, sender))
        return REFUSED, True
    envelope = Envelope(sender, recipients_of(str(value) for header in RECIPIENT_HEADERS
                                              for value in message.get_all(header) or ()),
                        subject)
    imported = import_files(ctx, principal, files_of(message, raw, subject),
                            place_message(rules, envelope))
    record.state = IMPORTED if imported.ok else FAILED
    record.reason = "; ".join(imported.failures)[:REASON_LIMIT] or None
    record.document_ids = ",".join(map(str, imported.document_ids))
    _record(ctx, record, answer=False)
    return record.state, True


def _sender_principal(ctx: Context, sender: str) -> Principal | None:
    if not sender:
        return None
    with ctx.uow() as uow:
        try:
            user = user_by_email(uow.session, sender)
        except UserNotFound:
            return None
        return principal_of(user) if user.active else None


def _answerable(settings: Settings, message: Message, sender: str) -> bool:
    """Answer a refused message only when that is the setting and it is no automatic
    message (no replies to bounces, lists or auto-replies: no mail loops)."""
    automatic = (message.get("Auto-Submitted", "no").strip().lower() != "no"
                 or message.get("Precedence", "").strip().lower() in {"bulk", "junk", "list"}
                 or message.get("List-Id") is not None
                 or sender.startswith(("mailer-daemon@", "postmaster@", "noreply@",
                                       "no-reply@")))
    return settings.mail_unknown_sender == "refuse" and bool(sender) and not automatic


def _record(ctx: Context, record: IntakeMessage, *, answer: bool) -> None:
    with ctx.uow() as uow:
        uow.session.add(record)
        uow.session.flush()
        record_event(uow.session, SCHEDULER, f"mail_{record.state}",
                     detail=f"{record.sender}: {record.subject}"[:500])
        if answer:
            uow.owe(ANSWER_REFUSAL, intake_message_id=record.id)
        uow.commit()
    if record.state == REFUSED:
        log.warning("intake: refused a message from %s (%s)", record.sender, record.reason)
    elif record.state == FAILED:
        log.warning("intake: message from %s failed: %s", record.sender, record.reason)


def answer_refusal(ctx: Context, payload: Mapping[str, int]) -> None:
    """The outbox handler: tell an unknown sender, in English and Chinese, why nothing was
    imported (no SMTP host: nothing is sent, the refusal stays logged)."""
    if not ctx.settings.smtp_host:
        return
    with ctx.uow() as uow:
        record = uow.session.get(IntakeMessage, payload["intake_message_id"])
        if record is None:
            return
        sender, subject = record.sender, record.subject
    english, chinese = translator("en"), translator("zh-CN")
    values = {"subject": subject, "sender": sender}
    send(ctx.settings, sender, f"{english(REFUSAL_SUBJECT)} / {chinese(REFUSAL_SUBJECT)}",
         f"{english(REFUSAL_TEXT, **values)}\n\n{chinese(REFUSAL_TEXT, **values)}\n")


def files_of(message: EmailMessage, raw: bytes, subject: str) -> list[IncomingFile]:
    """The message's attachments; without any, the message itself as an .eml file titled
    by its subject (the extractor reads its body in its own charset)."""
    files = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "inline":
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            files.append(IncomingFile(_decoded_name(name or "attachment"), payload))
    if files:
        return files
    return [IncomingFile(f"{_safe_name(subject) or 'message'}.eml", raw, title=subject or None)]


def _decoded_name(name: str) -> str:
    """File names some mailers send as RFC 2047 words inside the quotes (RFC 2231 ones
    the email package already decodes)."""
    if "=?" in name:
        with suppress(LookupError, ValueError, UnicodeDecodeError):
            name = str(make_header(decode_header(name)))
    return _safe_name(name) or "attachment"


def _safe_name(text: str) -> str:
    return re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", " ", text).strip()[:150]


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied(N_("only an admin can see and retry the e-mail intake"))


def recent_messages(ctx: Context, principal: Principal, *, state: str | None = None,
                    limit: int = 50) -> list[IntakeMessageView]:
    """The messages the intake handled, newest first (admins)."""
    _require_admin(principal)
    query = select(IntakeMessage).order_by(IntakeMessage.id.desc()).limit(limit)
    if state:
        query = query.where(IntakeMessage.state == state)
    with ctx.uow() as uow:
        return [IntakeMessageView(row.id, row.sender, row.subject, row.state, row.reason,
                                  aware(row.received_at).isoformat(),
                                  tuple(int(i) for i in row.document_ids.split(",") if i))
                for row in uow.session.scalars(query)]


def retry(ctx: Context, principal: Principal, message_id: int) -> None:
    """Forget a failed message, so the next poll handles it again (it must still be in
    the intake folder: from a failed folder, move it back first)."""
    _require_admin(principal)
    with ctx.uow() as uow:
        row = uow.session.get(IntakeMessage, message_id)
        if row is None:
            raise NotFound(N_("there is no intake message %(id)s"), id=message_id)
        if row.state != FAILED:
            raise InvalidInput(N_("only a failed message can be tried again"))
        record_event(uow.session, principal, "mail_retry",
                     detail=f"{row.sender}: {row.subject}"[:500])
        uow.session.execute(delete(IntakeMessage).where(IntakeMessage.id == message_id))
        uow.commit()
