"""Share links and personal API tokens."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, url_for

from docservice.errors import N_, InvalidInput
from docservice.services import shares, tokens
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, json_body, plain
from docservice.web.auth import current_principal
from docservice.web.forms import MAX_ID


def _optional_int(body: dict[str, Any], name: str, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or not 0 <= value <= MAX_ID):
        raise InvalidInput(N_("%(name)s must be a whole number"), name=name)
    return value


@bp.get("/documents/<id:document_id>/shares")
def list_shares(document_id: int) -> Any:
    return jsonify(plain(shares.list_shares(ctx(), current_principal(), document_id)))


@bp.post("/documents/<id:document_id>/shares")
def create_share(document_id: int) -> Any:
    body = json_body()
    password = body.get("password")
    if password is not None and not isinstance(password, str):
        raise InvalidInput(N_("password must be a string"))
    created = shares.create_share(
        ctx(), current_principal(), document_id,
        version_id=_optional_int(body, "version_id", None),
        expires_in_days=_optional_int(body, "expires_in_days", 7) or 0,
        password=password or None)
    return jsonify({"share_id": created.share_id, "token": created.token,
                    "url": url_for("ui.share", token=created.token, _external=True),
                    "expires_at": created.expires_at.isoformat()}), 201


@bp.delete("/shares/<id:share_id>")
def revoke_share(share_id: int) -> Any:
    shares.revoke_share(ctx(), current_principal(), share_id)
    return "", 204


@bp.get("/tokens")
def list_tokens() -> Any:
    return jsonify(plain(tokens.list_tokens(ctx(), current_principal())))


@bp.post("/tokens")
def create_token() -> Any:
    body = json_body()
    keep = body.get("keep_after_password_change", False)
    if not isinstance(keep, bool):
        raise InvalidInput(N_("keep_after_password_change must be true or false"))
    token_id, raw = tokens.create_token(
        ctx(), current_principal(), str(body.get("name", "")),
        expires_in_days=_optional_int(body, "expires_in_days", tokens.DEFAULT_DAYS) or 0,
        keep_after_password_change=keep)
    listed = next(t for t in tokens.list_tokens(ctx(), current_principal())
                  if t.token_id == token_id)
    return jsonify({**asdict(listed), "token": raw}), 201


@bp.delete("/tokens/<id:token_id>")
def revoke_token(token_id: int) -> Any:
    tokens.revoke_token(ctx(), current_principal(), token_id)
    return "", 204
