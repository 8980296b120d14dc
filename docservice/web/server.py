"""Run the app under waitress with the in-process workers; first run creates an admin."""

from __future__ import annotations

import logging

import click
import waitress

from docservice.bootstrap import start_workers
from docservice.services import accounts
from docservice.services.context import Context
from docservice.web import create_app

log = logging.getLogger(__name__)
ADMIN_EMAIL = "admin@localhost"


def ensure_admin(ctx: Context) -> str | None:
    """Create the first admin if there is no user; the password if it was generated."""
    password = ctx.settings.admin_password or accounts.generate_password()
    if not accounts.create_first_admin(ctx, ADMIN_EMAIL, password, "Administrator"):
        return None
    return None if ctx.settings.admin_password else password


def serve(ctx: Context, host: str, port: int) -> None:
    generated = ensure_admin(ctx)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    url = f"http://{shown_host}:{port}/"
    click.echo(f"docservice is running at {url}")
    if generated:
        click.echo(f"first run: log in at {url}login as {ADMIN_EMAIL} "
                   f"with password {generated}")
    start_workers(ctx)
    waitress.serve(create_app(ctx), host=host, port=port, threads=8, ident="docservice",
                   max_request_body_size=ctx.settings.max_upload_mb * 1024 * 1024 + 1024 * 1024)
