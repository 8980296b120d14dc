"""Search, upload, documents, versions, downloads, text and ingestion state."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from docservice import views
from docservice.inputs import MetadataChanges
from docservice.services import classify, documents, metadata, reading, trash
from docservice.services import search as search_service
from docservice.views import SearchPage
from docservice.web.api import models as m
from docservice.web.api.blueprint import bp
from docservice.web.api.common import ctx, plain
from docservice.web.api.contract import FILE, endpoint
from docservice.web.auth import current_principal
from docservice.web.forms import file_response, meta_from_form

UPLOADED = {201: m.UploadOutcome, 200: m.UploadOutcome}


@bp.get("/search")
@endpoint("Search documents (query syntax of the search box)", query=m.SearchParams,
          ok={200: SearchPage})
def search(query: m.SearchParams) -> Any:
    return jsonify(plain(search_service.search(
        ctx(), current_principal(), query.q, all_versions=query.all_versions,
        limit=query.limit, offset=query.offset, sort=query.sort)))


def _outcome_payload(outcome: documents.UploadOutcome) -> tuple[dict[str, Any], int]:
    payload: dict[str, Any] = {"document_id": outcome.document_id,
                               "version_id": outcome.version_id, "version": outcome.version,
                               "state": outcome.state, "duplicate": outcome.duplicate}
    if outcome.duplicate:
        payload["message"] = (f"identical to version {outcome.version} of document "
                              f"{outcome.document_id}; nothing new was stored")
    return payload, 200 if outcome.duplicate else 201


@bp.post("/documents")
@endpoint("Upload a new document", form=m.UploadForm, ok=UPLOADED, errors=(413, 422))
def upload(form: m.UploadForm) -> Any:
    meta = metadata.resolve_meta_grants(ctx(), meta_from_form(form))
    outcome = documents.upload(ctx(), current_principal(), form.file.stream,
                               form.file.filename or "upload", meta)
    payload, status = _outcome_payload(outcome)
    return jsonify(payload), status


@bp.get("/suggestions")
@endpoint("The category and subtype an upload of this file gets when none is chosen",
          query=m.FileNameParams, ok={200: m.CategorySuggestion})
def suggestion(query: m.FileNameParams) -> Any:
    current_principal()
    filename = query.filename.strip()
    category, subtype, _suggested = classify.chosen_or_suggested(None, None, filename)
    return jsonify({"filename": filename, "category": category, "subtype": subtype})


@bp.get("/documents/<id:document_id>")
@endpoint("A document with its versions", ok={200: views.DocumentDetails})
def document(document_id: int) -> Any:
    return jsonify(plain(reading.document_details(ctx(), current_principal(), document_id)))


@bp.patch("/documents/<id:document_id>")
@endpoint("Change metadata or permissions", body=MetadataChanges, ok={200: m.ChangedDocument},
          errors=(422,))
def update_document(document_id: int, body: MetadataChanges) -> Any:
    changed = metadata.update_metadata(ctx(), current_principal(), document_id, body)
    view = reading.document_details(ctx(), current_principal(), document_id, record_view=False)
    return jsonify({**plain(view), "changed": changed})


@bp.delete("/documents/<id:document_id>")
@endpoint("Move a document to the trash (restorable by its owner and admins for "
          "DOCSERVICE_TRASH_DAYS, then purged); 403 for readers who may not change it",
          ok={204: None})
def delete_document(document_id: int) -> Any:
    trash.trash_document(ctx(), current_principal(), document_id)
    return "", 204


@bp.get("/documents/<id:document_id>/versions")
@endpoint("Versions, newest first", ok={200: list[views.VersionView]})
def versions(document_id: int) -> Any:
    return jsonify(plain(reading.versions(ctx(), current_principal(), document_id)))


@bp.post("/documents/<id:document_id>/versions")
@endpoint("Upload a new version", form=m.NewVersionForm, ok=UPLOADED, errors=(413,))
def add_version(document_id: int, form: m.NewVersionForm) -> Any:
    outcome = documents.add_version(ctx(), current_principal(), document_id, form.file.stream,
                                    form.file.filename or "upload", form.note or None)
    payload, status = _outcome_payload(outcome)
    return jsonify(payload), status


@bp.get("/documents/<id:document_id>/latest")
@endpoint("The newest version", ok={200: views.VersionView})
def latest(document_id: int) -> Any:
    return jsonify(plain(documents.latest_version(ctx(), current_principal(), document_id)))


@bp.get("/documents/<id:document_id>/latest/download")
@endpoint("Download the newest version", ok={200: FILE})
def latest_download(document_id: int) -> Any:
    return _download(documents.latest_version(ctx(), current_principal(),
                                              document_id).version_id)


@bp.get("/latest")
@endpoint("Newest readable version of a product's documents", query=m.LatestParams,
          ok={200: views.VersionView})
def find_latest(query: m.LatestParams) -> Any:
    return jsonify(plain(documents.find_latest(ctx(), current_principal(),
                                               product=query.product or None,
                                               category=query.category or None,
                                               subtype=query.subtype or None)))


@bp.get("/versions/<id:version_id>")
@endpoint("One version", ok={200: views.VersionView})
def version(version_id: int) -> Any:
    return jsonify(plain(reading.version_details(ctx(), current_principal(), version_id)))


def _download(version_id: int) -> Any:
    found, chunks = documents.open_version(ctx(), current_principal(), version_id)
    return file_response(asdict(found), chunks)


@bp.get("/versions/<id:version_id>/download")
@endpoint("Download a version", ok={200: FILE})
def download(version_id: int) -> Any:
    return _download(version_id)


@bp.get("/versions/<id:version_id>/text")
@endpoint("Extracted text per page", ok={200: m.TextPages})
def text(version_id: int) -> Any:
    view, pages = reading.version_text(ctx(), current_principal(), version_id,
                                       record_read=True)
    return jsonify({"version": plain(view), "pages": [{"page": number, "text": page}
                                               for number, page in enumerate(pages, start=1)]})


@bp.get("/ingestion")
@endpoint("Ingestion state of versions", query=m.IngestionParams,
          ok={200: m.IngestionStates})
def ingestion_state(query: m.IngestionParams) -> Any:
    states = reading.version_states(ctx(), current_principal(), query.version_ids)
    return jsonify({"versions": plain(states)})
