"""The document page: metadata, versions, downloads, text preview, new version, shares."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from docservice.domain import CONTRACT_STATUSES, Category
from docservice.errors import N_, InvalidInput, PermissionDenied, VersionNotFound
from docservice.inputs import MetadataChanges
from docservice.services import (
    analytics,
    customers,
    documents,
    metadata,
    reading,
    reports,
    shares,
    trash,
    users,
    version_restore,
)
from docservice.services import search as search_service
from docservice.views import DocumentDetails, VersionView
from docservice.web.forms import changes_from_form, file_response, uploaded_file
from docservice.web.i18n import error_message, gettext
from docservice.web.ui.blueprint import bp, ctx, principal
from docservice.web.ui.reports import chart_svg, name_of
from docservice.web.validation import validated

MAX_RANK = 10_100  # a hit's place in a search: at most the deepest page's last


def _preview(details: DocumentDetails, version_id: int | None) -> tuple[VersionView | None,
                                                                        list[str]]:
    wanted = version_id or details.latest_version_id
    if wanted is None:
        return None, []
    if wanted not in {v.version_id for v in details.versions_list}:
        raise VersionNotFound(wanted)
    return reading.version_text(ctx(), principal(), wanted)


@bp.get("/d/<id:document_id>")
def document(document_id: int) -> Any:
    details = reading.document_details(ctx(), principal(), document_id)
    version_arg = request.args.get("v", "")
    shown, pages = _preview(details, int(version_arg) if version_arg.isdigit() else None)
    share_list = (shares.list_shares(ctx(), principal(), document_id)
                  if details.can_write else [])
    editing = details.can_write
    query = request.args.get("q", "")
    rank = request.args.get("r", "")
    if query and rank.isdigit() and 0 < int(rank) <= MAX_RANK:  # opened from a search hit
        analytics.record_click(ctx(), principal(), query, int(rank), document_id)
    usage = reports.document_stats(ctx(), principal(), document_id) if editing else None
    return render_template(
        "document.html", doc=details, shown=shown, pages=pages, q=query,
        marks=search_service.highlights(query, pages),
        shares=share_list,
        customers=customers.list_customers(ctx(), principal()) if editing else [],
        teams=users.list_teams(ctx()) if editing else [],
        usage=usage, usage_charts=chart_svg(usage) if usage else [], name_of=name_of,
        trash_days=ctx().settings.trash_days,
        statuses=CONTRACT_STATUSES if details.category == Category.CONTRACT.value
        else ("active", "draft", "archived"))


@bp.post("/d/<id:document_id>/edit")
def edit(document_id: int) -> Any:
    details = reading.document_details(ctx(), principal(), document_id, record_view=False)
    try:
        changes = changes_from_form(request.form, with_permissions=details.can_manage)
        changed = metadata.update_metadata(ctx(), principal(), document_id, changes)
    except (InvalidInput, PermissionDenied) as exc:
        flash(error_message(exc), "error")
    else:
        flash(gettext("Saved.") if changed else gettext("Nothing changed."), "info")
    return redirect(url_for("ui.document", document_id=document_id))


@bp.post("/d/<id:document_id>/expiry")
def confirm_expiry(document_id: int) -> Any:
    """The person confirms the expiry the contract's text states (or any date sent)."""
    changes = validated(MetadataChanges, {"expires_on": request.form.get("expires_on", "")})
    metadata.update_metadata(ctx(), principal(), document_id, changes)
    flash(gettext("Expiry saved."), "info")
    return redirect(url_for("ui.document", document_id=document_id))


@bp.post("/d/<id:document_id>/versions")
def new_version(document_id: int) -> Any:
    upload = uploaded_file()
    outcome = documents.add_version(ctx(), principal(), document_id, upload.stream,
                                    upload.filename or "upload",
                                    request.form.get("note") or None)
    if outcome.duplicate:
        flash(gettext("This file is identical to the latest version; nothing was added."),
              "error")
    else:
        flash(gettext("Version %(number)s uploaded; it is being indexed.",
                      number=outcome.version), "info")
    return redirect(url_for("ui.document", document_id=document_id))


@bp.post("/d/<id:document_id>/versions/<id:version_id>/restore")
def restore_version(document_id: int, version_id: int) -> Any:
    outcome = version_restore.restore_version(ctx(), principal(), document_id, version_id,
                                              request.form.get("note") or None)
    flash(gettext("Restored as version %(number)s, now the latest.", number=outcome.version),
          "info")
    return redirect(url_for("ui.document", document_id=document_id))


@bp.get("/d/<id:document_id>/delete")
def confirm_delete(document_id: int) -> Any:
    details = reading.document_details(ctx(), principal(), document_id, record_view=False)
    if not details.can_write:
        raise PermissionDenied(N_("you may read this document but not delete it"))
    return render_template("delete_document.html", doc=details,
                           days=ctx().settings.trash_days)


@bp.post("/d/<id:document_id>/delete")
def delete(document_id: int) -> Any:
    trashed = trash.trash_document(ctx(), principal(), document_id)
    flash(gettext("“%(title)s” was moved to the trash; you can restore it there until "
                  "%(date)s.", title=trashed.title, date=trashed.purge_after), "info")
    return redirect(url_for("ui.search"))


@bp.get("/d/<id:document_id>/latest")
def latest(document_id: int) -> Any:
    return download(documents.latest_version(ctx(), principal(), document_id).version_id)


@bp.get("/v/<id:version_id>/download")
def download(version_id: int) -> Any:
    found, chunks = documents.open_version(ctx(), principal(), version_id)
    return file_response(asdict(found), chunks)


@bp.get("/v/<id:version_id>/text")
def version_text(version_id: int) -> Any:
    view = reading.version_details(ctx(), principal(), version_id)
    return redirect(url_for("ui.document", document_id=view.document_id, v=version_id,
                            q=request.args.get("q") or None, _anchor="text"))
