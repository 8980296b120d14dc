"""A data directory holding many generated documents, as if uploaded and ingested.

Uploading 100,000 files through the pipeline would take hours; what search needs is the
state the pipeline leaves: documents, versions (indexed), their page texts, customers,
teams, users, and an index built from the database by the product's own ``rebuild_index``
(what ``docservice reindex`` runs). Rows are inserted in bulk with explicit ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import insert

from bench.generate import CUSTOMER_STAGES, CUSTOMER_TYPES, CUSTOMERS, TEAMS, SalesDoc
from docservice.db.models import (
    Customer,
    Document,
    DocumentTag,
    Membership,
    Page,
    Team,
    User,
    Version,
)
from docservice.domain import Principal, Role
from docservice.ingest.years import years_in
from docservice.services.context import Context

ADMIN_EMAIL = "bench-admin@example.com"
VIEWER_EMAIL = "bench-viewer@example.com"
BATCH = 2000
VIEWER_TEAM = 0
"""The viewer is in the first team and sees its documents, org-wide ones and nothing else."""


@dataclass(frozen=True)
class People:
    admin: Principal
    viewer: Principal
    editor_ids: tuple[int, ...]
    """One editor per team, owner of that team's documents."""


def add_people(ctx: Context) -> People:
    """Teams, one editor per team, an admin and a viewer (in the first team)."""
    teams = [{"id": number + 1, "name": name} for number, name in enumerate(TEAMS)]
    editors: list[dict[str, Any]] = [
        {"id": number + 3, "email": f"editor{number}@example.com", "name": f"editor{number}",
         "role": "editor"} for number in range(len(TEAMS))]
    users = [{"id": 1, "email": ADMIN_EMAIL, "name": "admin", "role": "admin"},
             {"id": 2, "email": VIEWER_EMAIL, "name": "viewer", "role": "viewer"}, *editors]
    members = [{"user_id": 2, "team_id": VIEWER_TEAM + 1}] + [
        {"user_id": editor["id"], "team_id": number + 1} for number, editor in enumerate(editors)]
    with ctx.uow() as uow:
        uow.session.execute(insert(Team), teams)
        uow.session.execute(insert(User), users)
        uow.session.execute(insert(Membership), members)
        uow.session.execute(insert(Customer), [
            {"id": number + 1, "name": name, "industry": industry, "region": region,
             "type": CUSTOMER_TYPES[number % 3], "stage": CUSTOMER_STAGES[number % 4]}
            for number, (name, industry, region) in enumerate(CUSTOMERS)])
        uow.commit()
    return People(admin=Principal(1, ADMIN_EMAIL, Role.ADMIN),
                  viewer=Principal(2, VIEWER_EMAIL, Role.VIEWER,
                                   frozenset({VIEWER_TEAM + 1})),
                  editor_ids=tuple(editor["id"] for editor in editors))


def add_documents(ctx: Context, people: People, documents: Iterable[SalesDoc]) -> int:
    """Insert the documents as ingested versions; the number of versions added."""
    added = 0
    iterator = iter(documents)
    while batch := list(islice(iterator, BATCH)):
        rows = _rows(people, batch)
        with ctx.uow() as uow:
            for model, values in rows.items():
                if values:
                    uow.session.execute(insert(model), values)
            uow.commit()
        added += len(rows[Version])
    return added


def _rows(people: People, batch: Sequence[SalesDoc]) -> dict[type, list[dict[str, object]]]:
    rows: dict[type, list[dict[str, object]]] = {Document: [], DocumentTag: [], Version: [],
                                                 Page: []}
    for doc in batch:
        document_id = doc.number + 1
        versions = list(_versions(doc))
        rows[Document].append({
            "id": document_id, "title": doc.title, "category": doc.category,
            "subtype": doc.subtype, "product": doc.product,
            "customer_id": None if doc.customer is None else doc.customer + 1,
            "owner_id": people.editor_ids[doc.team], "team_id": doc.team + 1,
            "visibility": doc.visibility, "latest_version_id": versions[-1]["id"]})
        rows[DocumentTag].extend({"document_id": document_id, "tag": tag} for tag in doc.tags)
        rows[Version].extend(versions)
        for version, pages in zip(versions, _texts(doc), strict=True):
            rows[Page].extend({"version_id": version["id"], "number": number, "text": text}
                              for number, text in enumerate(pages, start=1))
    return rows


def _versions(doc: SalesDoc) -> Iterator[dict[str, object]]:
    uploaded = datetime(doc.year, 1, 1, tzinfo=UTC) + timedelta(hours=doc.number % 8000)
    for number in range(1, doc.versions + 1):
        key = hashlib.sha256(f"{doc.number}:{number}".encode()).hexdigest()
        pages = doc.pages if number == doc.versions else doc.pages[:1]
        yield {"id": version_id(doc.number, number), "document_id": doc.number + 1,
               "number": number, "blob_key": key, "filename": doc.filename,
               "media_type": doc.media_type, "size": sum(len(page) for page in pages) * 2,
               "uploaded_at": uploaded + timedelta(days=30 * (number - 1)),
               "state": "indexed", "page_count": len(pages), "language": doc.language,
               "years": ",".join(str(year) for year in years_in(doc.filename,
                                                                " ".join(pages[:2])[:20000])),
               "indexed_at": uploaded}


def _texts(doc: SalesDoc) -> Iterator[Sequence[str]]:
    """Older versions hold the first page only (a draft); the latest all pages."""
    for number in range(1, doc.versions + 1):
        yield doc.pages if number == doc.versions else doc.pages[:1]


def version_id(document_number: int, version: int) -> int:
    """Ids leave room for two versions per document."""
    return document_number * 2 + version
