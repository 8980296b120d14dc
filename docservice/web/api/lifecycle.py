"""Keeping material current: review dates, the trash, restoring a version, bulk edits."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, StringConstraints

from docservice.inputs import CategoryName, Given
from docservice.services import deletion, review, trash, version_restore
from docservice.views import ReviewItem, TrashItem
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import endpoint
from docservice.web.api.models import QueryArgs, QueryBool, UploadOutcome
from docservice.web.auth import current_principal


class ReviewParams(QueryArgs):
    scope: Literal["all", "mine", "team"] = "all"
    category: Given[CategoryName] = None
    overdue: QueryBool = False
    sort: Literal["due", "title", "category", "owner"] = "due"


class RestoreNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class ReviewDate(BaseModel):
    document_id: int
    review_by: str | None


@bp.get("/review")
@endpoint("Documents you or your teams own (admins: all) overdue for review or due within "
          "30 days; contracts at their expiry", query=ReviewParams, ok={200: list[ReviewItem]})
def needs_review(query: ReviewParams) -> Any:
    return jsonify(plain(review.needs_review(ctx(), current_principal(), review.ReviewFilter(
        scope=query.scope, category=query.category, overdue=query.overdue, sort=query.sort))))


@bp.post("/documents/<id:document_id>/still-current")
@endpoint("Confirm a document is still current: its review date moves forward (audited)",
          ok={200: ReviewDate})
def still_current(document_id: int) -> Any:
    moved = review.confirm_current(ctx(), current_principal(), document_id)
    return jsonify({"document_id": document_id,
                    "review_by": moved.isoformat() if moved else None})


@bp.get("/trash")
@endpoint("Documents in the trash the caller may restore (their own; admins: all)",
          ok={200: list[TrashItem]})
def trash_list() -> Any:
    return jsonify(plain(trash.list_trash(ctx(), current_principal())))


@bp.post("/trash/<id:document_id>/restore")
@endpoint("Restore a document from the trash", ok={200: TrashItem})
def restore(document_id: int) -> Any:
    return jsonify(plain(trash.restore_document(ctx(), current_principal(), document_id)))


@bp.delete("/trash/<id:document_id>")
@endpoint("Delete a document for good at once, in the trash or not (admins only): every "
          "version, its text, index entries, share links and the files no other document "
          "uses", ok={204: None})
def purge(document_id: int) -> Any:
    deletion.purge_document(ctx(), current_principal(), document_id)
    return "", 204


@bp.post("/documents/<id:document_id>/versions/<id:version_id>/restore")
@endpoint("Make an older version the latest again: a new version with the same file and "
          "text, noted 'restored from vN' (audited)", body=RestoreNote,
          ok={201: UploadOutcome}, errors=(422,))
def restore_version(document_id: int, version_id: int, body: RestoreNote) -> Any:
    outcome = version_restore.restore_version(ctx(), current_principal(), document_id,
                                              version_id, body.note)
    return jsonify({"document_id": outcome.document_id, "version_id": outcome.version_id,
                    "version": outcome.version, "state": outcome.state,
                    "duplicate": False, "message": ""}), 201
