"""Search, upload, documents, versions, downloads, text and ingestion state."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from docservice.errors import N_, InvalidInput
from docservice.services import classify, deletion, documents, metadata, reading
from docservice.services import search as search_service
from docservice.web.api.blueprint import bp
from docservice.web.api.common import bool_arg, ctx, int_arg, json_body, plain
from docservice.web.auth import current_principal
from docservice.web.forms import file_response, id_list, meta_from_form, uploaded_file


@bp.get("/search")
def search() -> Any:
    return jsonify(plain(search_service.search(
        ctx(), current_principal(), request.args.get("q", ""),
        all_versions=bool_arg("all_versions"), limit=int_arg("limit", 10),
        offset=int_arg("offset", 0), sort=request.args.get("sort", "relevance"))))


def _outcome_payload(outcome: documents.UploadOutcome) -> tuple[dict[str, Any], int]:
    payload: dict[str, Any] = {"document_id": outcome.document_id,
                               "version_id": outcome.version_id, "version": outcome.version,
                               "state": outcome.state, "duplicate": outcome.duplicate}
    if outcome.duplicate:
        payload["message"] = (f"identical to version {outcome.version} of document "
                              f"{outcome.document_id}; nothing new was stored")
    return payload, 200 if outcome.duplicate else 201


@bp.post("/documents")
def upload() -> Any:
    upload_file = uploaded_file()
    meta = metadata.resolve_meta_grants(ctx(), meta_from_form(request.form))
    outcome = documents.upload(ctx(), current_principal(), upload_file.stream,
                               upload_file.filename or "upload", meta)
    payload, status = _outcome_payload(outcome)
    return jsonify(payload), status


@bp.get("/suggestions")
def suggestion() -> Any:
    """The category an upload of a file so named gets when the uploader chooses none."""
    current_principal()
    filename = request.args.get("filename", "").strip()
    if not filename:
        raise InvalidInput(N_("send the file name as ?filename="))
    category, subtype, _suggested = classify.chosen_or_suggested(None, None, filename)
    return jsonify({"filename": filename, "category": category, "subtype": subtype})


@bp.get("/documents/<id:document_id>")
def document(document_id: int) -> Any:
    return jsonify(plain(reading.document_details(ctx(), current_principal(), document_id)))


@bp.patch("/documents/<id:document_id>")
def update_document(document_id: int) -> Any:
    changed = metadata.update_metadata(ctx(), current_principal(), document_id, json_body())
    view = reading.document_details(ctx(), current_principal(), document_id, record_view=False)
    return jsonify({**plain(view), "changed": changed})


@bp.delete("/documents/<id:document_id>")
def delete_document(document_id: int) -> Any:
    deletion.delete_document(ctx(), current_principal(), document_id)
    return "", 204


@bp.get("/documents/<id:document_id>/versions")
def versions(document_id: int) -> Any:
    return jsonify(plain(reading.versions(ctx(), current_principal(), document_id)))


@bp.post("/documents/<id:document_id>/versions")
def add_version(document_id: int) -> Any:
    upload_file = uploaded_file()
    outcome = documents.add_version(ctx(), current_principal(), document_id, upload_file.stream,
                                    upload_file.filename or "upload",
                                    request.form.get("note") or None)
    payload, status = _outcome_payload(outcome)
    return jsonify(payload), status


@bp.get("/documents/<id:document_id>/latest")
def latest(document_id: int) -> Any:
    return jsonify(plain(documents.latest_version(ctx(), current_principal(), document_id)))


@bp.get("/documents/<id:document_id>/latest/download")
def latest_download(document_id: int) -> Any:
    return _download(documents.latest_version(ctx(), current_principal(),
                                              document_id).version_id)


@bp.get("/latest")
def find_latest() -> Any:
    return jsonify(plain(documents.find_latest(ctx(), current_principal(),
                                               product=request.args.get("product") or None,
                                               category=request.args.get("category") or None,
                                               subtype=request.args.get("subtype") or None)))


@bp.get("/versions/<id:version_id>")
def version(version_id: int) -> Any:
    return jsonify(plain(reading.version_details(ctx(), current_principal(), version_id)))


def _download(version_id: int) -> Any:
    found, chunks = documents.open_version(ctx(), current_principal(), version_id)
    return file_response(asdict(found), chunks)


@bp.get("/versions/<id:version_id>/download")
def download(version_id: int) -> Any:
    return _download(version_id)


@bp.get("/versions/<id:version_id>/text")
def text(version_id: int) -> Any:
    view, pages = reading.version_text(ctx(), current_principal(), version_id,
                                       record_read=True)
    return jsonify({"version": plain(view), "pages": [{"page": number, "text": page}
                                               for number, page in enumerate(pages, start=1)]})


@bp.get("/ingestion")
def ingestion_state() -> Any:
    ids = id_list(request.args.get("version_ids", ""))
    return jsonify({"versions": plain(reading.version_states(ctx(), current_principal(), ids))})
