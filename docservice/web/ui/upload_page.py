"""The upload page; the files themselves go to ``POST /api/v1/documents`` from the browser."""

from __future__ import annotations

from typing import Any

from flask import render_template

from docservice.domain import SUBTYPES, Category, Visibility
from docservice.services import customers, users
from docservice.web.labels import label
from docservice.web.ui.blueprint import bp, ctx, principal


@bp.get("/upload")
def upload() -> Any:
    codes = [c.value for c in Category] + [s for c in Category for s in SUBTYPES[c]]
    return render_template("upload.html", categories=[c.value for c in Category],
                           labels={code: label(code) for code in codes},
                           subtypes={c.value: SUBTYPES[c] for c in Category},
                           visibilities=[v.value for v in Visibility],
                           customers=customers.list_customers(ctx(), principal()),
                           teams=users.list_teams(ctx()),
                           limit_mb=ctx().settings.max_upload_mb)
