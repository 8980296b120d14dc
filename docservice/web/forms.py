"""Form fields as the services take them: metadata, grants, uploaded files, downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Response, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from docservice.errors import N_, InvalidInput
from docservice.inputs import MAX_ID, MetadataChanges
from docservice.services.documents import DocumentMeta
from docservice.web.validation import validated

if TYPE_CHECKING:
    from docservice.web.api.models import UploadForm

_SPLIT = re.compile(r"[,，;\n]+")
PERMISSION_WORDS = ("read", "write")


def split_list(raw: str | None) -> list[str]:
    return [item.strip() for item in _SPLIT.split(raw or "") if item.strip()]


def parse_grants(raw: str | None) -> list[tuple[str, str]]:
    """``alice@example.com:write, sales`` -> [("alice@example.com", "write"), ("sales", "read")]."""
    grants = []
    for item in split_list(raw):
        who, _, permission = item.rpartition(":")
        if permission.strip().lower() in PERMISSION_WORDS and who.strip():
            grants.append((who.strip(), permission.strip().lower()))
        else:
            grants.append((item, "read"))
    return grants


def optional_int(raw: str | None, name: str) -> int | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise InvalidInput(N_("%(name)s must be a number"), name=name) from exc
    if not 0 <= value <= MAX_ID:
        raise InvalidInput(N_("%(name)s is out of range"), name=name)
    return value


class IdConverter(IntegerConverter):
    """``<id:name>`` in routes: a positive integer no larger than MAX_ID, else 404.

    Said outright: a rule that merely does not match makes werkzeug answer 405 for DELETE
    or PATCH when another method's rule has the same path."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound()
        return number


def optional_date(raw: str | None, name: str) -> date | None:
    if not raw or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInput(N_("%(name)s must be a date like 2025-12-31"), name=name) from exc


def _blank_to_none(raw: str | None) -> str | None:
    return raw.strip() if raw and raw.strip() else None


def meta_from_form(form: UploadForm) -> DocumentMeta:
    """Upload metadata from the upload form (the upload page and ``POST /api/v1/documents``)."""
    return DocumentMeta(
        title=_blank_to_none(form.title),
        category=form.category,  # none given: the app suggests one
        subtype=_blank_to_none(form.subtype), tags=tuple(split_list(form.tags)),
        product=_blank_to_none(form.product), customer=_blank_to_none(form.customer),
        visibility=form.visibility, team_id=form.team_id, expires_on=form.expires_on,
        starts_on=form.starts_on, review_by=form.review_by, acl=tuple(parse_grants(form.grants)))


def changes_from_form(form: Mapping[str, str], *, with_permissions: bool) -> MetadataChanges:
    """Metadata edits from the document page form, checked by the API's model."""
    changes: dict[str, Any] = {
        "title": form.get("title", ""), "category": form.get("category", "other"),
        "subtype": form.get("subtype") or None, "tags": split_list(form.get("tags")),
        "product": form.get("product") or None, "customer": form.get("customer") or None,
        "status": form.get("status") or "active",
        "expires_on": form.get("expires_on") or None, "review_by": form.get("review_by") or None,
        "starts_on": form.get("starts_on") or None}
    if with_permissions:
        changes["visibility"] = form.get("visibility", "team")
        changes["team_id"] = form.get("team_id") or None
        changes["acl"] = parse_grants(form.get("grants"))
    return validated(MetadataChanges, changes)


def uploaded_file(field: str = "file") -> FileStorage:
    """The uploaded file; werkzeug spools it to disk, the blob store reads it in chunks."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InvalidInput(N_("send the file as multipart/form-data field %(field)r"),
                           field=field)
    return upload


def file_response(view: Mapping[str, Any], chunks: Iterator[bytes]) -> Response:
    """A streamed download with the original (possibly Chinese) file name."""
    filename = str(view["filename"])
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response = Response(chunks, mimetype=str(view.get("media_type") or
                                             "application/octet-stream"))
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Content-Length"] = str(view["size"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
