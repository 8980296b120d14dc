"""``docservice`` commands that keep material current: review dates, trash, restoring a
version, contracts, bulk edits. The same use cases as the pages and the API."""

from __future__ import annotations

from dataclasses import asdict

import click

from docservice.cli import State, as_option, emit, handled, json_option, main, pass_state
from docservice.errors import VersionNotFound
from docservice.services import accounts, reading, review, trash, version_restore


@main.command("needs-review")
@click.option("--scope", type=click.Choice(["all", "mine", "team"]), default="all")
@click.option("--category")
@click.option("--overdue", is_flag=True, help="only what is overdue already")
@click.option("--sort", type=click.Choice(review.REVIEW_SORTS), default="due")
@as_option
@json_option
@pass_state
@handled
def needs_review(state: State, scope: str, category: str | None, overdue: bool, sort: str,
                 as_email: str | None, as_json: bool) -> None:
    """What is overdue for review or due within 30 days (contracts: at their expiry)."""
    principal = accounts.principal_for(state.ctx, as_email)
    items = review.needs_review(state.ctx, principal, review.ReviewFilter(
        scope=scope, category=category, overdue=overdue, sort=sort))
    emit([asdict(item) for item in items], as_json, lambda: "\n".join(
        f"{item.due}  {'OVERDUE ' if item.overdue else ''}{item.document_id}  {item.title}  "
        f"({item.category}, {item.owner or '-'})" for item in items) or "nothing needs review")


@main.command("still-current")
@click.argument("document_id", type=int)
@as_option
@json_option
@pass_state
@handled
def still_current(state: State, document_id: int, as_email: str | None, as_json: bool) -> None:
    """Confirm a document is still current: its review date moves forward (audited)."""
    principal = accounts.principal_for(state.ctx, as_email)
    moved = review.confirm_current(state.ctx, principal, document_id)
    emit({"document_id": document_id, "review_by": moved}, as_json,
         f"document {document_id}: review by {moved or '-'}")


@main.command("trash")
@as_option
@json_option
@pass_state
@handled
def trash_list(state: State, as_email: str | None, as_json: bool) -> None:
    """Documents in the trash you may restore (yours; the operator and admins: all)."""
    items = trash.list_trash(state.ctx, accounts.principal_for(state.ctx, as_email))
    emit([asdict(item) for item in items], as_json, lambda: "\n".join(
        f"{item.document_id}  {item.title}  deleted {item.deleted_at[:16]} by "
        f"{item.deleted_by or '-'}, purged after {item.purge_after}" for item in items)
        or "the trash is empty")


@main.command("restore-document")
@click.argument("document_id", type=int)
@as_option
@json_option
@pass_state
@handled
def restore_document(state: State, document_id: int, as_email: str | None, as_json: bool) -> None:
    """Restore a document from the trash."""
    item = trash.restore_document(state.ctx, accounts.principal_for(state.ctx, as_email),
                                  document_id)
    emit(asdict(item), as_json, f"restored {item.title!r}")


@main.command("restore-version")
@click.argument("document_id", type=int)
@click.argument("number", type=int)
@click.option("--note", help="why (kept with the new version)")
@as_option
@json_option
@pass_state
@handled
def restore_version(state: State, document_id: int, number: int, note: str | None,
                    as_email: str | None, as_json: bool) -> None:
    """Make version NUMBER of a document the latest again (a new version, same file)."""
    principal = accounts.principal_for(state.ctx, as_email)
    found = [v for v in reading.versions(state.ctx, principal, document_id) if v.version == number]
    if not found:
        raise VersionNotFound(f"v{number} of document {document_id}")
    outcome = version_restore.restore_version(state.ctx, principal, document_id,
                                              found[0].version_id, note)
    emit(asdict(outcome), as_json,
         f"document {document_id}: v{number} restored as v{outcome.version} (latest)")
