"""Admin pages (users and teams) and the audit log."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from docservice.errors import N_, InvalidInput
from docservice.services import auditlog, backup, integrity, passwords, recovery, scheduler, users
from docservice.web.forms import optional_date, optional_int
from docservice.web.i18n import error_message, gettext
from docservice.web.ui.blueprint import attempt, bp, ctx, principal


@bp.get("/admin/users")
def admin_users() -> Any:
    return render_template("admin_users.html", users=users.list_users(ctx(), principal()),
                           teams=users.list_teams(ctx()),
                           failed=recovery.failed_work(ctx(), principal()),
                           scheduled=scheduler.overview(ctx(), principal()),
                           backups=backup.backup_status(ctx(), principal()),
                           integrity=integrity.last_check(ctx(), principal()))


@bp.post("/admin/users")
def create_user() -> Any:
    form = request.form
    attempt(lambda: users.create_user(
        ctx(), principal(), form.get("email", ""), form.get("role", "viewer"),
        form.getlist("teams"), form.get("password", ""), form.get("name", "")), N_("User created."))
    return redirect(url_for("ui.admin_users"))


@bp.post("/admin/users/<id:user_id>")
def update_user(user_id: int) -> Any:
    form = request.form
    attempt(lambda: users.update_user(ctx(), principal(), user_id, role=form.get("role"),
                                      active=form.get("active") == "1",
                                      teams=form.getlist("teams")), N_("Saved."))
    return redirect(url_for("ui.admin_users"))


@bp.post("/admin/users/<id:user_id>/password")
def reset_password(user_id: int) -> Any:
    attempt(lambda: passwords.reset_password(ctx(), principal(), user_id,
                                             request.form.get("password", "")),
            N_("Password set. That user's sessions were signed out."))
    return redirect(url_for("ui.admin_users"))


@bp.post("/admin/teams")
def create_team() -> Any:
    attempt(lambda: users.create_team(ctx(), principal(), request.form.get("name", "")),
            N_("Team created."))
    return redirect(url_for("ui.admin_users"))


@bp.post("/admin/retry")
def retry_failed() -> Any:
    attempt(lambda: recovery.retry(ctx(), principal(), failed=True),
            N_("Failed work queued again."))
    return redirect(url_for("ui.admin_users"))


@bp.post("/admin/schedule/<name>")
def run_scheduled(name: str) -> Any:
    try:
        ran = scheduler.run_task(ctx(), principal(), name)
    except InvalidInput as exc:
        flash(error_message(exc), "error")
    else:
        if ran.state == scheduler.DONE:
            flash(gettext("%(task)s done: %(summary)s", task=ran.task, summary=ran.summary),
                  "info")
        else:
            flash(gettext("%(task)s failed: %(error)s", task=ran.task, error=ran.error),
                  "error")
    return redirect(url_for("ui.admin_users"))


@bp.get("/audit")
def audit() -> Any:
    args = request.args
    wanted = auditlog.AuditFilter(
        actor=args.get("actor") or None,
        document_id=optional_int(args.get("document_id"), "document_id"),
        action=args.get("action") or None, since=optional_date(args.get("since"), "since"),
        until=optional_date(args.get("until"), "until"))
    return render_template("audit.html", events=auditlog.query_events(ctx(), principal(), wanted),
                           actions=auditlog.ACTIONS, filters=args)
