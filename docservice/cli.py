"""The ``docservice`` command: the same use cases as the web app, from a terminal."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from docservice.bootstrap import backup_target, bootstrap, start_workers
from docservice.config import Settings, load_settings
from docservice.domain import OPERATOR, IngestState
from docservice.errors import DocserviceError
from docservice.services import (
    accounts,
    backup,
    deletion,
    documents,
    encryption,
    export,
    indexing,
    ingestion,
    integrity,
    outbox,
    passwords,
    reading,
    recovery,
    reports,
    scheduler,
    tokens,
    trash,
)
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.views import EncryptionRun

F = TypeVar("F", bound=Callable[..., Any])
IMPORT_TIMEOUT_S = 24 * 3600


class State:
    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._ctx: Context | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            self._ctx = bootstrap(self.settings)
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()


def emit(data: Any, as_json: bool, text: Callable[[], str] | str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text() if callable(text) else text)


def _lines(view: dict[str, Any]) -> str:
    """``key: value`` lines; a tuple of a view prints as the list it is in JSON."""
    return "\n".join(f"{key}: {list(value) if isinstance(value, tuple) else value}"
                     for key, value in view.items())


def handled(func: F) -> F:
    """Turn our errors into a one-line message (or a JSON error) and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DocserviceError as exc:
            if kwargs.get("as_json"):
                click.echo(json.dumps({"error": {"code": exc.code, "message": exc.message}},
                                      ensure_ascii=False))
            else:
                click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable output")
as_option = click.option("--as", "as_email", metavar="EMAIL",
                         help="act as this user (default: the local operator, an admin)")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="log what the workers do")
@click.pass_context
def main(click_ctx: click.Context, verbose: bool) -> None:
    """docservice: store, extract, index and search versioned sales documents."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    state = State()
    click_ctx.obj = state
    click_ctx.call_on_close(state.close)


pass_state = click.make_pass_decorator(State)


@main.command()
@json_option
@pass_state
@handled
def init(state: State, as_json: bool) -> None:
    """Create the data directory, the database schema and the search index.

    Fails (exit 1) when the search engine cannot create the index, where a starting server
    only warns: a one-shot init job must not report success without it."""
    ctx = state.ctx
    ctx.index.ensure()
    emit({"data_dir": str(ctx.settings.data_dir.resolve()), "ok": True}, as_json,
         f"initialised {ctx.settings.data_dir.resolve()}")


@main.command("create-team")
@click.argument("name")
@json_option
@pass_state
@handled
def create_team(state: State, name: str, as_json: bool) -> None:
    """Create a team (sales, marketing, product, service...)."""
    team_id = accounts.create_team(state.ctx, name)
    emit({"team_id": team_id, "name": name}, as_json, f"team {name} created")


@main.command("team-lead")
@click.argument("team")
@click.argument("email")
@click.option("--off", is_flag=True, help="no longer the team's lead")
@json_option
@pass_state
@handled
def team_lead(state: State, team: str, email: str, off: bool, as_json: bool) -> None:
    """Make a member of TEAM its lead: a lead sees the team's search and contribution
    reports (who searched for what, who contributed)."""
    reports.set_team_lead(state.ctx, OPERATOR, team, email, lead=not off)
    emit({"team": team, "email": email, "lead": not off}, as_json,
         f"{email} {'no longer leads' if off else 'leads'} {team}")


@main.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), default="viewer")
@click.option("--team", "teams", multiple=True, help="team to join (created if missing)")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@json_option
@pass_state
@handled
def create_user(state: State, email: str, role: str, teams: tuple[str, ...], name: str,
                password_stdin: bool, as_json: bool) -> None:
    """Create a user account."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user_id = accounts.create_user(state.ctx, email, role, teams=list(teams), password=password,
                                   name=name)
    emit({"user_id": user_id, "email": email, "role": role, "teams": list(teams)}, as_json,
         f"user {email} ({role}) created")


@main.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@json_option
@pass_state
@handled
def set_password(state: State, email: str, password_stdin: bool, as_json: bool) -> None:
    """Set a user's password (asked twice unless --password-stdin); signs out their sessions."""
    ctx = state.ctx
    user_id = accounts.user_id_of(ctx, email)
    password = (sys.stdin.readline().rstrip("\n") if password_stdin else
                click.prompt("new password", hide_input=True, confirmation_prompt=True))
    passwords.reset_password(ctx, OPERATOR, user_id, password)
    emit({"email": email, "password_set": True}, as_json, f"password of {email} set")


def _files(paths: tuple[Path, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and not any(part.startswith(".")
                                                         for part in p.relative_to(path).parts))
        else:
            yield path


@main.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--category", help="without it (and --subtype) the app suggests one per file, "
              "as the upload page does")
@click.option("--subtype")
@click.option("--tag", "tags", multiple=True)
@click.option("--product")
@click.option("--customer")
@click.option("--visibility", type=click.Choice(["private", "team", "org"]), default="team")
@click.option("--review-by", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="review date (default: the category's, DOCSERVICE_REVIEW_DAYS)")
@click.option("--starts-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="a contract's start")
@click.option("--expires-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="a contract's expiry")
@as_option
@json_option
@pass_state
@handled
def import_(state: State, paths: tuple[Path, ...], category: str | None, subtype: str | None,
            tags: tuple[str, ...], product: str | None, customer: str | None,
            visibility: str, review_by: datetime | None, starts_on: datetime | None,
            expires_on: datetime | None, as_email: str | None, as_json: bool) -> None:
    """Import files and folders (recursively) and wait until each is indexed or failed."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    meta = documents.DocumentMeta(category=category, subtype=subtype, tags=tags,
                                  product=product, customer=customer, visibility=visibility,
                                  review_by=review_by.date() if review_by else None,
                                  starts_on=starts_on.date() if starts_on else None,
                                  expires_on=expires_on.date() if expires_on else None)
    start_workers(ctx)
    outcomes: list[tuple[Path, documents.UploadOutcome]] = []
    rejected: list[dict[str, str]] = []
    for path in _files(paths):
        try:
            with path.open("rb") as stream:
                outcomes.append((path, documents.upload(ctx, principal, stream, path.name, meta)))
        except (DocserviceError, OSError) as exc:
            rejected.append({"file": str(path), "reason": getattr(exc, "message", str(exc))})
    fresh = [outcome.version_id for _path, outcome in outcomes if not outcome.duplicate]
    states = _wait_with_progress(ctx, fresh, show=not as_json and sys.stderr.isatty())
    _report_import(ctx, outcomes, rejected, states, as_json)


def _wait_with_progress(ctx: Context, version_ids: list[int], show: bool) -> dict[int, str]:
    if not show:
        return ingestion.wait_for_versions(ctx, version_ids, IMPORT_TIMEOUT_S)
    with click.progressbar(length=len(version_ids), label="extracting and indexing",
                           file=sys.stderr) as bar:
        def advance(done: int) -> None:
            bar.update(done - bar.pos)

        return ingestion.wait_for_versions(ctx, version_ids, IMPORT_TIMEOUT_S, advance)


def _report_import(ctx: Context, outcomes: list[tuple[Path, documents.UploadOutcome]],
                   rejected: list[dict[str, str]], states: dict[int, str],
                   as_json: bool) -> None:
    reasons = {row.version_id: row.reason for row in ingestion.failures(ctx, 1_000_000)}
    failed = list(rejected)
    rows = []
    for path, outcome in outcomes:
        state_now = outcome.state if outcome.duplicate else states.get(outcome.version_id, "")
        rows.append({"file": str(path), "document_id": outcome.document_id,
                     "version_id": outcome.version_id, "state": state_now,
                     "duplicate": outcome.duplicate})
        if state_now == IngestState.FAILED and not outcome.duplicate:
            failed.append({"file": str(path), "reason": str(reasons.get(outcome.version_id))})
    summary = {
        "indexed": sum(1 for row in rows
                       if row["state"] == IngestState.INDEXED and not row["duplicate"]),
        "duplicates": sum(1 for row in rows if row["duplicate"]),
        "failed": failed,
        "unfinished": sum(1 for row in rows
                          if not IngestState(str(row["state"])).is_terminal),
        "documents": rows,
    }

    def text() -> str:
        lines = [f"indexed: {summary['indexed']}", f"duplicates: {summary['duplicates']}",
                 f"failed: {len(failed)}"]
        lines += [f"  {row['file']}: {row['reason']}" for row in failed]
        if summary["unfinished"]:
            lines.append(f"still running: {summary['unfinished']}")
        return "\n".join(lines)

    emit(summary, as_json, text)


@main.command()
@click.argument("query")
@as_option
@click.option("--all-versions", is_flag=True, help="include older versions")
@click.option("--limit", default=10, show_default=True)
@click.option("--offset", default=0)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@json_option
@pass_state
@handled
def search(state: State, query: str, as_email: str | None, all_versions: bool, limit: int,
           offset: int, sort: str, as_json: bool) -> None:
    """Search documents: words, "phrases", -exclusions, category: type: tag: year: ..."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    result = search_service.search(ctx, principal, query, all_versions=all_versions,
                                   limit=limit, offset=offset, sort=sort)

    def text() -> str:
        lines = [f"{result.total} hit(s)"]
        for number, hit in enumerate(result.hits, start=offset + 1):
            page = f" p.{hit.page}" if hit.page else ""
            title = _bracketed(hit.title, hit.title_highlights)
            lines.append(f"{number}. [{hit.document_id}] {title} (v{hit.version}, "
                         f"{hit.filename}{page})")
            facts = [hit.file_type, hit.uploaded_at[:10], hit.subtype,
                     hit.customer and f"customer {hit.customer}",
                     hit.product and f"product {hit.product}"]
            lines.append("   " + " · ".join(fact for fact in facts if fact))
            if hit.snippet:
                lines.append("   " + hit.snippet.replace("<mark>", "[").replace("</mark>", "]"))
        if result.suggestion:
            lines.append(f"did you mean: {result.suggestion}")
        return "\n".join(lines)

    emit(asdict(result), as_json, text)


def _bracketed(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span in [brackets], as the snippets are printed."""
    for start, end in reversed(spans):
        text = f"{text[:start]}[{text[start:end]}]{text[end:]}"
    return text


@main.command()
@click.argument("document_id", type=int)
@as_option
@json_option
@pass_state
@handled
def show(state: State, document_id: int, as_email: str | None, as_json: bool) -> None:
    """Show a document's metadata."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    view = asdict(documents.get_document(ctx, principal, document_id))
    emit(view, as_json, lambda: _lines(view))


@main.command()
@click.argument("document_id", type=int)
@as_option
@json_option
@pass_state
@handled
def versions(state: State, document_id: int, as_email: str | None, as_json: bool) -> None:
    """List every version of a document, newest first."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    views = reading.versions(ctx, principal, document_id)
    emit([asdict(v) for v in views], as_json, lambda: "\n".join(
        f"v{v.version} {v.filename} {v.size} B {v.uploaded_at} {v.state}"
        + (f" ({v.reason})" if v.reason else "") for v in views))


@main.command("add-version")
@click.argument("document_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note")
@as_option
@json_option
@pass_state
@handled
def add_version(state: State, document_id: int, file: Path, note: str | None,
                as_email: str | None, as_json: bool) -> None:
    """Upload a new version of a document and wait until it is indexed or failed."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    start_workers(ctx)
    with file.open("rb") as stream:
        outcome = documents.add_version(ctx, principal, document_id, stream, file.name, note)
    states = ingestion.wait_for_versions(ctx, [outcome.version_id], IMPORT_TIMEOUT_S)
    view: dict[str, Any] = asdict(reading.version_details(ctx, principal, outcome.version_id))
    view["duplicate"] = outcome.duplicate
    view["state"] = states.get(outcome.version_id, view["state"])
    emit(view, as_json, lambda: ("unchanged: identical to the latest version"
                                 if outcome.duplicate else
                                 f"version {view['version']} {view['state']}"))


@main.command()
@click.argument("document_id", type=int)
@click.option("--yes", is_flag=True, help="do not ask for confirmation (--purge)")
@click.option("--purge", is_flag=True, help="delete for good at once (admins)")
@as_option
@json_option
@pass_state
@handled
def delete(state: State, document_id: int, yes: bool, purge: bool, as_email: str | None,
           as_json: bool) -> None:
    """Move a document to the trash (restore it with `docservice restore-document`); with --purge
    (admins) delete it for good: its versions, text, index entries and share links."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    if not purge:
        moved = trash.trash_document(ctx, principal, document_id)
        emit({"document_id": document_id, "title": moved.title, "trashed": True,
              "purge_after": moved.purge_after}, as_json,
             f"moved {moved.title!r} to the trash; restorable until {moved.purge_after}")
        return
    if not yes:
        title = trash.title_of(ctx, principal, document_id)
        click.confirm(f"delete {title!r} and every version of it for good?", abort=True)
    deleted = deletion.purge_document(ctx, principal, document_id)
    emit({"document_id": deleted.document_id, "title": deleted.title,
          "versions": deleted.versions, "deleted": True}, as_json,
         f"deleted {deleted.title!r} ({deleted.versions} version(s))")


@main.command()
@click.argument("document_id", type=int, required=False)
@click.option("--product")
@click.option("--category")
@click.option("--subtype")
@click.option("--download", type=click.Path(dir_okay=True, path_type=Path),
              help="write the file here (a folder keeps the original name)")
@as_option
@json_option
@pass_state
@handled
def latest(state: State, document_id: int | None, product: str | None, category: str | None,
           subtype: str | None, download: Path | None, as_email: str | None,
           as_json: bool) -> None:
    """The newest version of a document, or of a product's documents (--product)."""
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    if document_id is None and not product:
        raise click.UsageError("give a DOCUMENT_ID or --product")
    if document_id is not None:
        version = documents.latest_version(ctx, principal, document_id)
    else:
        version = documents.find_latest(ctx, principal, product=product, category=category,
                                        subtype=subtype)
    full = asdict(version)
    keys = ("document_id", "version_id", "version", "filename", "title", "media_type", "size",
            "uploaded_at")
    view = {key: full[key] for key in keys}
    if download is not None:
        target = download / str(view["filename"]) if download.is_dir() else download
        _, chunks = documents.open_version(ctx, principal, int(view["version_id"]))
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        view["downloaded_to"] = str(target)
    emit(view, as_json, lambda: _lines(view))


@main.command()
@json_option
@pass_state
@handled
def reindex(state: State, as_json: bool) -> None:
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    count = indexing.rebuild_index(state.ctx)
    emit({"entries": count}, as_json, f"reindexed {count} version(s)")


@main.command("backup")
@click.argument("destination")
@click.option("--verify", is_flag=True,
              help="check the backup in DESTINATION instead of making one (exit 1 if damaged)")
@click.option("--with-index", is_flag=True, help="copy the embedded search index too")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="then keep only the newest N snapshots (and the files they use)")
@click.option("--snapshot", default=None, help="with --verify: check only this snapshot")
@json_option
@pass_state
@handled
def backup_(state: State, destination: str, verify: bool, with_index: bool, keep: int | None,
            snapshot: str | None, as_json: bool) -> None:
    """Back up this installation to DESTINATION (a folder or s3://bucket/prefix): the
    database, the stored files (only new ones), the session key; not the master key."""
    target = backup_target(state.settings, destination)
    if verify:
        report = backup.verify_backup(target, snapshot)
        emit(asdict(report) | {"ok": report.ok}, as_json, lambda: "\n".join(
            [f"checked {len(report.snapshots)} snapshot(s) and {report.files_checked} "
             f"file(s) in {report.destination}"]
            + [f"DAMAGED: {problem}" for problem in report.problems]
            + ["ok" if report.ok else "the backup is damaged"]))
        if not report.ok:
            sys.exit(1)
        return
    result = backup.make_backup(state.ctx, OPERATOR, target, with_index=with_index, keep=keep)
    emit(asdict(result), as_json, lambda: result.summary + (
        f"; pruned {len(result.pruned_snapshots)} snapshot(s), {result.pruned_files} file(s)"
        if keep else "") + "\n" + backup.MASTER_KEY_NOTE)


@main.command("export")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--customer", default=None, help="the documents of this customer")
@click.option("--query", default=None, help="the documents this search finds")
@click.option("--all", "everything", is_flag=True, help="every document")
@as_option
@json_option
@pass_state
@handled
def export_(state: State, destination: Path, customer: str | None, query: str | None,
            everything: bool, as_email: str | None, as_json: bool) -> None:
    """Write a zip of the latest version of each document you may read, with metadata.json
    and documents.csv."""
    selection = export.check_selection(export.ExportSelection(customer, query, everything))
    ctx = state.ctx
    principal = accounts.principal_for(ctx, as_email)
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        with partial.open("wb") as out:
            summary = export.export_documents(ctx, principal, selection, out)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    emit(asdict(summary) | {"file": str(destination)}, as_json,
         f"exported {summary.documents} document(s), {summary.bytes} bytes, to {destination}")


@main.command()
@click.argument("source")
@click.option("--snapshot", default=None, help="this snapshot (default: the newest)")
@json_option
@pass_state
@handled
def restore(state: State, source: str, snapshot: str | None, as_json: bool) -> None:
    """Fill an empty data dir (or empty database and bucket) from a backup and reindex."""
    result = backup.restore_backup(state.settings, backup_target(state.settings, source),
                                   snapshot)
    emit(asdict(result), as_json,
         f"restored snapshot {result.snapshot}: {result.documents} documents, "
         f"{result.versions} versions, {result.files} files; "
         + ("search index from the backup" if result.index_from_backup
            else f"reindexed {result.index_entries} version(s)"))
def _progress(verb: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        click.echo(f"{verb} {done}/{total}", err=True)

    return report


def _encryption_lines(run: EncryptionRun, verb: str) -> str:
    lines = [f"{verb} {run.changed} of {run.files} stored file(s); master key {run.key_id}"]
    if run.older_keys:
        lines.append(f"older keys still configured: {', '.join(run.older_keys)} "
                     "(restart the servers, then `docservice rotate-key --retire`)")
    return "\n".join(lines)


@main.command("encrypt-files")
@json_option
@pass_state
@handled
def encrypt_files(state: State, as_json: bool) -> None:
    """Encrypt the files stored before a master key was configured, in place. Safe to
    stop: run it again to continue."""
    run = encryption.encrypt_stored_files(state.ctx, OPERATOR, _progress("checked"))
    emit(asdict(run), as_json, lambda: _encryption_lines(run, "encrypted"))


@main.command("rotate-key")
@click.option("--retire", is_flag=True,
              help="add no key; re-wrap what servers wrote meanwhile, then drop older keys")
@json_option
@pass_state
@handled
def rotate_key(state: State, retire: bool, as_json: bool) -> None:
    """Wrap every stored file's data key under a new master key (files are not
    rewritten). With a key file the new key is created; with DOCSERVICE_MASTER_KEY put
    the new key first in it."""
    run = encryption.rotate_master_key(state.ctx, OPERATOR, retire=retire,
                                       progress=_progress("checked"))
    emit(asdict(run), as_json, lambda: _encryption_lines(run, "re-wrapped"))


@main.command()
@click.option("--repair", is_flag=True, help="remove orphan files, fix the index")
@click.option("--grace", type=int, default=int(integrity.DEFAULT_GRACE.total_seconds()),
              show_default=True, metavar="SECONDS",
              help="leave files and index entries younger than this (work on its way)")
@click.option("--no-hash", is_flag=True, help="only check that files exist, do not read them")
@click.option("--restart", is_flag=True, help="start again instead of continuing a check "
                                              "that stopped halfway")
@json_option
@pass_state
@handled
def check(state: State, repair: bool, grace: int, no_hash: bool, restart: bool,
          as_json: bool) -> None:
    """Check that every version's file is stored intact, every stored file belongs to a
    version and the search index matches the database; exit 1 while problems remain."""
    report = integrity.check(state.ctx, OPERATOR, repair=repair,
                             grace=timedelta(seconds=max(grace, 0)), hash_files=not no_hash,
                             restart=restart, progress=lambda line: click.echo(line, err=True))

    def text() -> str:
        lines = [f"{problem.kind}: {problem.subject} {problem.detail}"
                 f"{' (repaired)' if problem.repaired else ''}" for problem in report.problems]
        checked = ", ".join(f"{count} {name}" for name, count in report.checked)
        lines.append(f"checked {checked}; {sum(c for _, c in report.found)} problem(s), "
                     f"{report.repaired} repaired, {report.remaining} remaining")
        return "\n".join(lines)

    emit({**asdict(report), "remaining": report.remaining}, as_json, text)
    if report.remaining:
        sys.exit(1)


@main.command()
@click.option("--failed", is_flag=True, help="every version and side effect that failed")
@click.option("--version", "version_id", type=int, default=None, metavar="ID",
              help="this version (read its file again)")
@json_option
@pass_state
@handled
def retry(state: State, failed: bool, version_id: int | None, as_json: bool) -> None:
    """Run background work again: failed work, one version, or (by default) whatever is
    unfinished and nobody works on. Workers take it (`docservice serve` or `worker`)."""
    retried = recovery.retry(state.ctx, OPERATOR, failed=failed, version_id=version_id)
    emit({"versions": list(retried.versions), "side_effects": list(retried.side_effects)},
         as_json, f"queued again: {len(retried.versions)} version(s), "
                  f"{len(retried.side_effects)} side effect(s)")


@main.group()
def schedule() -> None:
    """Periodic work (reminders, expiry, purges, digests, backups): list it, run it now."""


@schedule.command("list")
@json_option
@pass_state
@handled
def schedule_list(state: State, as_json: bool) -> None:
    """Every periodic task, its period, and its last run."""
    views = scheduler.overview(state.ctx, OPERATOR)

    def text() -> str:
        if not views:
            return "no periodic tasks"
        lines = []
        for view in views:
            last = (f"last {view.last_state} at {view.last_started_at}"
                    + (f": {view.last_summary}" if view.last_summary else "")
                    + (f": {view.last_error}" if view.last_error else "")
                    if view.last_state else "never ran")
            lines.append(f"{view.name} every {view.every_s:g} s, next period "
                         f"{view.next_period_at}; {last}")
        return "\n".join(lines)

    emit([dataclasses.asdict(view) for view in views], as_json, text)


@schedule.command("run")
@click.argument("name")
@json_option
@pass_state
@handled
def schedule_run(state: State, name: str, as_json: bool) -> None:
    """Run one periodic task now (recorded as a manual run); exit 1 if it failed."""
    ran = scheduler.run_task(state.ctx, OPERATOR, name)
    emit({"task": ran.task, "state": ran.state, "summary": ran.summary, "error": ran.error},
         as_json, f"{ran.task}: {ran.state}: {ran.summary or ran.error or ''}")
    if ran.state != scheduler.DONE:
        sys.exit(1)


@main.command()
@json_option
@pass_state
@handled
def status(state: State, as_json: bool) -> None:
    """Counts per ingestion state, work in progress and recent failures."""
    ctx = state.ctx
    counts = ingestion.state_counts(ctx)
    working = ingestion.in_progress(ctx)
    failed = ingestion.failures(ctx, 20)
    ocr = ingestion.ocr_warning(ctx)
    owed = outbox.counts(ctx)

    def text() -> str:
        lines = [f"{name}: {count}" for name, count in counts.items()]
        lines.append(f"side effects owed: {owed['pending']} pending, {owed['failed']} failed")
        if ocr:
            lines.append(f"warning: {ocr}")
        lines += [f"working: {row.file} {row.state} {row.progress or ''}" for row in working]
        lines += [f"failed: {row.file}: {row.reason}" for row in failed]
        return "\n".join(lines)

    emit({"states": counts, "in_progress": [asdict(row) for row in working],
          "failures": [asdict(row) for row in failed], "ocr_warning": ocr,
          "side_effects": owed}, as_json, text)


@main.command()
@click.option("--host", default=None, help="address to listen on (default 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default 8000)")
@pass_state
@handled
def serve(state: State, host: str | None, port: int | None) -> None:
    """Run the web app and the in-process workers with a production WSGI server."""
    from docservice.web.server import serve as run_server

    run_server(state.ctx, host=host or state.settings.host, port=port or state.settings.port)


@main.command()
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
def worker(burst: bool) -> None:
    """Run an RQ worker of the scale-out tier (DOCSERVICE_QUEUE_BACKEND=rq)."""
    from workers.__main__ import main as run_worker

    run_worker(burst=burst)


@main.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="what the token is for (shown in the account page)")
@click.option("--days", default=tokens.DEFAULT_DAYS, show_default=True,
              help="days until the token expires")
@json_option
@pass_state
@handled
def create_token(state: State, email: str, name: str, days: int, as_json: bool) -> None:
    """Create a personal API token for a user; it is shown once, only its hash is kept."""
    from docservice.services import tokens

    token_id, raw = tokens.create_token_for(state.ctx, email, name or "command line",
                                            expires_in_days=days)
    emit({"token_id": token_id, "email": email, "token": raw}, as_json,
         f"API token for {email} (shown once, keep it safe):\n{raw}\n"
         f"use it as: Authorization: Bearer {raw}")


# Commands kept in modules of their own register themselves on ``main``.
from docservice import cli_customers, cli_intake, cli_lifecycle  # noqa: E402, F401

if __name__ == "__main__":
    main()
