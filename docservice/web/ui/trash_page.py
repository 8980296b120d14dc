"""The trash: what the signed-in person (an admin: anyone) deleted, to restore or purge."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from docservice.services import deletion, trash
from docservice.web.i18n import gettext
from docservice.web.ui.blueprint import bp, ctx, principal


@bp.get("/trash")
def trash_list() -> Any:
    return render_template("trash.html", items=trash.list_trash(ctx(), principal()),
                           days=ctx().settings.trash_days)


@bp.post("/trash/<id:document_id>/restore")
def restore(document_id: int) -> Any:
    restored = trash.restore_document(ctx(), principal(), document_id)
    flash(gettext("“%(title)s” was restored.", title=restored.title), "info")
    return redirect(url_for("ui.document", document_id=document_id))


@bp.post("/trash/<id:document_id>/purge")
def purge(document_id: int) -> Any:
    purged = deletion.purge_document(ctx(), principal(), document_id)
    flash(gettext("“%(title)s” was deleted for good, with every version and share link.",
                  title=purged.title), "info")
    return redirect(url_for("ui.trash_list"))
