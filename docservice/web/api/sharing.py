"""Share links and personal API tokens."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, url_for

from docservice import views
from docservice.services import shares, tokens
from docservice.web.api import models as m
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import endpoint
from docservice.web.auth import current_principal


@bp.get("/documents/<id:document_id>/shares")
@endpoint("Share links of a document", ok={200: list[views.ShareView]})
def list_shares(document_id: int) -> Any:
    return jsonify(plain(shares.list_shares(ctx(), current_principal(), document_id)))


@bp.post("/documents/<id:document_id>/shares")
@endpoint("Create a share link", body=m.ShareInput, ok={201: m.CreatedShare}, errors=(422,))
def create_share(document_id: int, body: m.ShareInput) -> Any:
    created = shares.create_share(
        ctx(), current_principal(), document_id, version_id=body.version_id,
        expires_in_days=body.expires_in_days, password=body.password or None)
    return jsonify({"share_id": created.share_id, "token": created.token,
                    "url": url_for("ui.share", token=created.token, _external=True),
                    "expires_at": created.expires_at.isoformat()}), 201


@bp.delete("/shares/<id:share_id>")
@endpoint("Revoke a share link", ok={204: None})
def revoke_share(share_id: int) -> Any:
    shares.revoke_share(ctx(), current_principal(), share_id)
    return "", 204


@bp.get("/tokens")
@endpoint("The caller's API tokens", ok={200: list[views.TokenView]})
def list_tokens() -> Any:
    return jsonify(plain(tokens.list_tokens(ctx(), current_principal())))


@bp.post("/tokens")
@endpoint("Create an API token (shown once)", body=m.TokenInput, ok={201: m.CreatedToken})
def create_token(body: m.TokenInput) -> Any:
    token_id, raw = tokens.create_token(
        ctx(), current_principal(), body.name, expires_in_days=body.expires_in_days,
        keep_after_password_change=body.keep_after_password_change)
    listed = next(t for t in tokens.list_tokens(ctx(), current_principal())
                  if t.token_id == token_id)
    return jsonify({**asdict(listed), "token": raw}), 201


@bp.delete("/tokens/<id:token_id>")
@endpoint("Revoke an API token", ok={204: None})
def revoke_token(token_id: int) -> Any:
    tokens.revoke_token(ctx(), current_principal(), token_id)
    return "", 204
