"""The export download: a zip of what the signed-in person may read (the admin page's form)."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Response, request

from docservice.services import export
from docservice.web.forms import file_response
from docservice.web.ui.blueprint import bp, ctx, principal

SPOOL_BYTES = 8 * 1024 * 1024


@bp.get("/export.zip")
def export_zip() -> Response:
    args = request.args
    selection = export.check_selection(export.ExportSelection(
        customer=args.get("customer") or None, query=args.get("q") or None,
        everything=args.get("all") == "1"))
    # spooled: a large export goes to a temp file, not into memory
    spool: Any = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by chunks)
    summary = export.export_documents(ctx(), principal(), selection, spool)
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Any:
        with spool:
            while chunk := spool.read(1024 * 1024):
                yield chunk

    response = file_response({"filename": "docservice-export.zip", "size": size,
                              "media_type": "application/zip"}, chunks())
    response.headers["X-Exported-Documents"] = str(summary.documents)
    return response
