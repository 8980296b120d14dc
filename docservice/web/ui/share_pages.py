"""Share links: created and revoked from the document page, opened without an account."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for

from docservice.errors import InvalidInput
from docservice.services import shares
from docservice.services.tokens import token_hash
from docservice.web.auth import client_address
from docservice.web.forms import file_response, optional_int
from docservice.web.i18n import error_message, gettext
from docservice.web.ui.blueprint import bp, ctx, principal

UNLOCKED = "unlocked_shares"


@bp.post("/d/<id:document_id>/shares")
def create_share(document_id: int) -> Any:
    try:
        created = shares.create_share(
            ctx(), principal(), document_id,
            version_id=optional_int(request.form.get("version_id"), "version_id"),
            expires_in_days=optional_int(request.form.get("days"), "days") or 7,
            password=request.form.get("password") or None)
    except InvalidInput as exc:
        flash(error_message(exc), "error")
    else:
        flash(url_for("ui.share", token=created.token, _external=True), "share_url")
    return redirect(url_for("ui.document", document_id=document_id, _anchor="shares"))


@bp.post("/shares/<id:share_id>/revoke")
def revoke_share(share_id: int) -> Any:
    document_id = shares.revoke_share(ctx(), principal(), share_id)
    flash(gettext("Share link revoked."), "info")
    return redirect(url_for("ui.document", document_id=document_id, _anchor="shares"))


def _unlocked(token: str) -> bool:
    return token_hash(token) in session.get(UNLOCKED, [])


@bp.route("/s/<token>", methods=["GET", "POST"])
def share(token: str) -> Any:
    password = request.form.get("password") if request.method == "POST" else None
    try:
        item = shares.open_share(ctx(), token, password=password, unlocked=_unlocked(token),
                                 address=client_address())
    except shares.SharePasswordRequired as exc:
        return render_template("share_password.html", token=token,
                               error=error_message(exc) if exc.wrong else None), 401
    if password:
        session[UNLOCKED] = [*session.get(UNLOCKED, [])[-20:], token_hash(token)]
        return redirect(url_for("ui.share", token=token))
    return render_template("share.html", item=item, token=token)


@bp.get("/s/<token>/download")
def share_download(token: str) -> Any:
    view, chunks = shares.download_share(ctx(), token, unlocked=_unlocked(token),
                                         address=client_address())
    return file_response(asdict(view), chunks)
