"""Export documents to hand to another system: a zip of the latest version of each document
the person may read (all, one customer's, or a search's), with ``metadata.json`` and a
``documents.csv`` sidecar. Every exported document is audited."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import IO

from sqlalchemy import func, select

from docservice.db.access import readable
from docservice.db.models import Customer, Document, Version, utcnow
from docservice.db.repositories import record_event
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput
from docservice.services import search as search_service
from docservice.services.context import Context

CSV_COLUMNS = ("document_id", "title", "category", "subtype", "product", "customer", "tags",
               "owner", "team", "visibility", "status", "version", "filename", "media_type",
               "size", "sha256", "uploaded_at", "file")
_UNSAFE = re.compile(r"[\\/\x00-\x1f]+")


@dataclass(frozen=True)
class ExportSelection:
    """What to export: one of a customer's name, a search query, or everything."""

    customer: str | None = None
    query: str | None = None
    everything: bool = False

    def describe(self) -> str:
        if self.customer is not None:
            return f"customer {self.customer}"
        if self.query is not None:
            return f"query {self.query}"
        return "all"


@dataclass(frozen=True)
class ExportedDocument:
    document_id: int
    title: str
    category: str
    subtype: str | None
    product: str | None
    customer: str | None
    tags: tuple[str, ...]
    owner: str | None
    team: str | None
    visibility: str
    status: str
    version: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: str
    file: str  # its path inside the zip


@dataclass(frozen=True)
class ExportSummary:
    selection: str
    documents: int
    bytes: int


def check_selection(selection: ExportSelection) -> ExportSelection:
    given = [selection.customer is not None, selection.query is not None, selection.everything]
    if sum(given) != 1:
        raise InvalidInput(N_("choose one of: a customer, a search query, or everything"))
    if selection.query is not None and not selection.query.strip():
        raise InvalidInput(N_("the search query is empty"))
    return selection


def export_documents(ctx: Context, principal: Principal, selection: ExportSelection,
                     out: IO[bytes]) -> ExportSummary:
    """Write the zip of ``selection`` to ``out``: only documents ``principal`` may read."""
    check_selection(selection)
    ids = _search_ids(ctx, principal, selection.query) if selection.query is not None else None
    with ctx.uow() as uow:
        query = (select(Document, Version).join(Version, Version.id == Document.latest_version_id)
                 .where(readable(principal)).order_by(Document.id))
        if ids is not None:
            query = query.where(Document.id.in_(ids))
        if selection.customer is not None:  # an unknown name exports nothing (says nothing)
            query = query.join(Customer, Customer.id == Document.customer_id).where(
                func.lower(Customer.name) == selection.customer.strip().lower())
        rows = [(_exported(document, version), version.blob_key)
                for document, version in uow.session.execute(query).tuples()]
        for entry, _key in rows:
            record_event(uow.session, principal, "export", document_id=entry.document_id,
                         detail=selection.describe())
        uow.commit()
    entries = [entry for entry, _key in rows]
    write_export_zip(out, entries, ((entry.file, ctx.blobs.open(key)) for entry, key in rows),
                     {"exported_at": utcnow().isoformat(), "exported_by": principal.email,
                      "selection": selection.describe()})
    return ExportSummary(selection.describe(), len(entries), sum(e.size for e in entries))


def _search_ids(ctx: Context, principal: Principal, query: str) -> set[int]:
    """The documents the search finds (the latest versions, as the search page shows)."""
    found: set[int] = set()
    offset = 0
    while offset <= search_service.MAX_OFFSET:
        page = search_service.search(ctx, principal, query, limit=search_service.MAX_LIMIT,
                                     offset=offset)
        found.update(hit.document_id for hit in page.hits)
        offset += search_service.MAX_LIMIT
        if offset >= page.total:
            break
    return found


def _exported(document: Document, version: Version) -> ExportedDocument:
    filename = _UNSAFE.sub("_", version.filename).strip(". ") or "file"
    return ExportedDocument(
        document.id, document.title, document.category, document.subtype, document.product,
        document.customer.name if document.customer else None, tuple(document.tag_names),
        document.owner.email if document.owner else None,
        document.team.name if document.team else None, document.visibility, document.status,
        version.number, version.filename, version.media_type, version.size, version.blob_key,
        version.uploaded_at.isoformat(), f"files/{document.id}/{filename}")


def write_export_zip(out: IO[bytes], entries: list[ExportedDocument],
                     files: Iterable[tuple[str, Iterator[bytes]]],
                     about: dict[str, str]) -> None:
    """Write the export zip (the one place its bytes are written): each file, streamed,
    then ``metadata.json`` and ``documents.csv``."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, chunks in files:
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
        archive.writestr("metadata.json", json.dumps(
            {**about, "documents": [asdict(entry) for entry in entries]},
            ensure_ascii=False, indent=1))
        archive.writestr("documents.csv", _csv(entries))


def _csv(entries: list[ExportedDocument]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = asdict(entry)
        row["tags"] = ";".join(entry.tags)
        writer.writerow([row[column] for column in CSV_COLUMNS])
    return "\ufeff" + text.getvalue()  # a BOM: spreadsheet programs then read it as UTF-8
