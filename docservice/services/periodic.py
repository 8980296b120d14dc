"""The product's periodic tasks, registered with the scheduler (services/scheduler.py).

One ``register`` line per task: its name (shown on the admin page and taken by
``docservice schedule run NAME``), its period, and the function, which takes the context
and returns a one-line summary. Periods can be changed per installation with
``DOCSERVICE_SCHEDULE_PERIODS``.
"""

from __future__ import annotations

from datetime import timedelta

from docservice.services.context import Context
from docservice.services.scheduler import register

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def _purge_revoked_sessions(ctx: Context) -> str:
    from docservice.services.sessions import purge_expired_revocations

    return f"{purge_expired_revocations(ctx)} expired sign-outs forgotten"


def _remind(ctx: Context) -> str:
    from docservice.services.notifications import remind

    return remind(ctx)


def _send_digests(ctx: Context) -> str:
    from docservice.services.mail import send_digests

    return send_digests(ctx)


def _backup(ctx: Context) -> str:
    from docservice.services.backup import scheduled_backup

    return scheduled_backup(ctx)
def _refresh_review_marks(ctx: Context) -> str:
    from docservice.services.review import refresh_marks

    return refresh_marks(ctx)


def _purge_trash(ctx: Context) -> str:
    from docservice.services.deletion import purge_expired

    return purge_expired(ctx)


def _expire_contracts(ctx: Context) -> str:
    from docservice.services.contracts import expire_contracts

    return expire_contracts(ctx)


def _roll_up_usage(ctx: Context) -> str:
    from docservice.services.analytics import roll_up

    return roll_up(ctx)


def _purge_usage_events(ctx: Context) -> str:
    from docservice.services.analytics import purge_events

    return purge_events(ctx)


def _integrity_check(ctx: Context) -> str:
    from docservice.services.integrity import nightly_check

    return nightly_check(ctx)


def _poll_mailbox(ctx: Context) -> str:
    from docservice.services.mail_intake import poll

    return poll(ctx)


def _poll_folders(ctx: Context) -> str:
    from docservice.services.folder_intake import poll_configured

    return poll_configured(ctx)


def load() -> None:
    """Register every task (idempotent)."""
    register("sessions.purge", DAY, _purge_revoked_sessions)
    register("notifications.remind", DAY, _remind)
    register("notifications.digest", DAY, _send_digests)
    register("backup", DAY, _backup, offset=2 * HOUR, lease=12 * HOUR)
    register("usage.rollup", HOUR, _roll_up_usage)  # today's rollup so far, every hour
    register("usage.purge", DAY, _purge_usage_events)
    register("review.marks", DAY, _refresh_review_marks)
    register("trash.purge", DAY, _purge_trash)
    register("contracts.expire", DAY, _expire_contracts)
    register("integrity.check", DAY, _integrity_check, offset=3 * HOUR, lease=6 * HOUR)
    register("intake.mail", 5 * MINUTE, _poll_mailbox)
    register("intake.folders", MINUTE, _poll_folders)
