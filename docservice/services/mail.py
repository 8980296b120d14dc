"""Notifications by e-mail over SMTP (``DOCSERVICE_SMTP_*``), in each recipient's language:
one message per notification for people who chose immediate e-mail (an outbox job), and a
daily digest for the others (a scheduled task). Without an SMTP host nothing is sent.

Every notification is checked against the recipient's read rights when the message is made,
so a document they may no longer read is never named."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select, update

from docservice.config import Settings
from docservice.db.models import Document, Notification, User, utcnow
from docservice.db.notices import email_mode, may_read, notification_view
from docservice.db.repositories import principal_of
from docservice.errors import N_, ServiceUnavailable
from docservice.services.context import Context
from docservice.services.texts import sentence, translator
from docservice.services.webhooks import document_link
from docservice.views import NotificationView

log = logging.getLogger(__name__)

SUBJECT_ONE = N_("docservice: %(what)s")
SUBJECT_DIGEST = N_("docservice: %(count)s new notifications")
DIGEST_INTRO = N_("What happened to the documents you follow and own:")
FOOTER = N_("Choose immediate e-mail, a daily digest or none on your account page: %(url)s")
DIGEST_LIMIT = 100


def send(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one plain-text message. An SMTP server that cannot be reached or refuses for
    now raises ServiceUnavailable (the outbox tries again later)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(text)
    try:
        with _connect(settings) as smtp:
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        if not 400 <= exc.smtp_code < 500:  # refused for good (5xx): the job fails
            raise
        raise ServiceUnavailable(N_("the mail server is unavailable: %(error)s"),
                                 error=str(exc)) from exc
    except OSError as exc:  # no connection, a timeout, a dropped line (smtplib's too)
        raise ServiceUnavailable(N_("the mail server is unavailable: %(error)s"),
                                 error=str(exc)) from exc


def _connect(settings: Settings) -> smtplib.SMTP:
    timeout = settings.smtp_timeout_s
    if settings.smtp_security == "ssl":
        return smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    if settings.smtp_security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def _account_link(ctx: Context) -> str:
    return document_link(ctx, 0).rsplit("/d/", 1)[0] + "/account"


def _text(ctx: Context, language: str | None, items: Sequence[NotificationView]) -> str:
    translate = translator(language)
    lines = [translate(DIGEST_INTRO), ""] if len(items) > 1 else []
    for item in items:
        lines += [sentence(item, translate), document_link(ctx, item.document_id), ""]
    lines.append(translate(FOOTER, url=_account_link(ctx)))
    return "\n".join(lines) + "\n"


def email_notification(ctx: Context, payload: Mapping[str, int]) -> None:
    """The outbox handler for immediate e-mail: one notification, if it is still unsent,
    its person still wants immediate e-mail and may still read the document."""
    if not ctx.settings.smtp_host:
        return
    with ctx.uow() as uow:
        session = uow.session
        notification = session.get(Notification, payload["notification_id"])
        if notification is None or notification.emailed_at is not None:
            return
        user = session.get(User, notification.user_id)
        if user is None or not user.active or email_mode(session, user.id) != "immediate" \
                or not may_read(session, principal_of(user), notification.document_id):
            return
        title = session.scalar(select(Document.title)
                               .where(Document.id == notification.document_id)) or ""
        item = notification_view(notification, title)
        address, language = user.email, user.language
    translate = translator(language)
    send(ctx.settings, address, translate(SUBJECT_ONE, what=sentence(item, translate)),
         _text(ctx, language, [item]))
    _mark_emailed(ctx, [item.notification_id])


def _mark_emailed(ctx: Context, notification_ids: list[int]) -> None:
    with ctx.uow() as uow:
        uow.session.execute(update(Notification).where(Notification.id.in_(notification_ids))
                            .values(emailed_at=utcnow()))
        uow.commit()


def send_digests(ctx: Context) -> str:
    """The daily task: each person on the daily digest gets one e-mail with their unread,
    unsent notifications about documents they may read now. Safe to run again: what was
    sent is marked."""
    if not ctx.settings.smtp_host:
        return "no SMTP host set: no digests"
    with ctx.uow() as uow:
        user_ids = sorted(set(uow.session.scalars(select(Notification.user_id).where(
            Notification.emailed_at.is_(None), Notification.read_at.is_(None)))))
    sent = 0
    for user_id in user_ids:
        sent += _digest(ctx, user_id)
    return f"{sent} digests sent"


def _digest(ctx: Context, user_id: int) -> int:
    with ctx.uow() as uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None or not user.active or email_mode(session, user_id) != "daily":
            return 0
        principal = principal_of(user)
        rows = session.execute(
            select(Notification, Document.title)
            .join(Document, Document.id == Notification.document_id)
            .where(Notification.user_id == user_id, Notification.emailed_at.is_(None),
                   Notification.read_at.is_(None))
            .order_by(Notification.id).limit(DIGEST_LIMIT)).all()
        items = [notification_view(row[0], row[1]) for row in rows
                 if may_read(session, principal, row[0].document_id)]
        address, language = user.email, user.language
    if not items:
        return 0
    translate = translator(language)
    send(ctx.settings, address, translate(SUBJECT_DIGEST, count=len(items)),
         _text(ctx, language, items))
    _mark_emailed(ctx, [item.notification_id for item in items])
    return 1
