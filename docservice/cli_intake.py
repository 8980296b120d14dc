"""``docservice intake`` and ``docservice watch``: the e-mail intake and watched folders
from a terminal (registered by cli.py)."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import click

from docservice.bootstrap import start_workers
from docservice.cli import State, as_option, emit, handled, json_option, main, pass_state
from docservice.services import accounts, folder_intake, mail_intake


@main.group("intake")
def intake() -> None:
    """The e-mail intake and the watched folders."""


@intake.command("status")
@click.option("--state", "only", type=click.Choice([mail_intake.IMPORTED, mail_intake.REFUSED,
                                            mail_intake.FAILED]))
@click.option("--limit", default=50, show_default=True)
@as_option
@json_option
@pass_state
@handled
def status(state: State, only: str | None, limit: int, as_email: str | None,
           as_json: bool) -> None:
    """The messages the intake handled (newest first) and the files in each watched
    folder's failed/ folder, with their reasons."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    messages = mail_intake.recent_messages(ctx, principal, state=only, limit=limit)
    files = [failure for folder in ctx.settings.intake_dirs
             for failure in folder_intake.failures(folder, limit)]

    def text() -> str:
        lines = [f"#{m.id} {m.received_at[:19]} {m.state} {m.sender}: {m.subject}"
                 + (f" -> documents {', '.join(map(str, m.document_ids))}"
                    if m.document_ids else "")
                 + (f"\n    {m.reason}" if m.reason else "") for m in messages]
        lines += [f"failed file {f.path}\n    {f.reason}" for f in files]
        return "\n".join(lines) or "nothing handled yet"

    emit({"messages": [asdict(m) for m in messages], "failed_files": [asdict(f) for f in files]},
         as_json, text)


@intake.command("retry")
@click.argument("message_id", type=int)
@as_option
@json_option
@pass_state
@handled
def retry(state: State, message_id: int, as_email: str | None, as_json: bool) -> None:
    """Try a failed message again at the next poll."""
    ctx = state.ctx
    mail_intake.retry(ctx, accounts.principal_for(ctx, as_email), message_id)
    emit({"retry": message_id}, as_json, f"message {message_id} is tried again at the next poll")


@main.command("watch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--interval", default=5.0, show_default=True, help="seconds between polls")
@click.option("--once", is_flag=True, help="one poll, then stop")
@as_option
@pass_state
@handled
def watch(state: State, folder: Path, interval: float, once: bool,
          as_email: str | None) -> None:
    """Import the files dropped in FOLDER once they are complete (same size at two polls,
    not open for writing), moving them to done/ or failed/ (with a .reason file).
    Subfolders place them: FOLDER/[category/[subtype/]]customer/... Files belong to --as,
    else DOCSERVICE_INTAKE_OWNER. Runs until interrupted."""
    ctx = state.ctx
    principal = folder_intake.owner(ctx, as_email)
    start_workers(ctx)
    while True:
        counts = folder_intake.poll_folder(ctx, principal, folder)
        if counts.get("imported") or counts.get("failed"):
            click.echo(f"{time.strftime('%H:%M:%S')} {folder_intake.summary(counts)}")
        if once:
            return
        time.sleep(interval)
