"""Titles from content: a document named by its file name that says nothing is retitled once
its latest version's text is extracted (``scan0007`` becomes "销售合同 HT-2024-0815 (...)")."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docservice.db.models import Document, Version
from docservice.domain import ExtractedText
from docservice.ingest.metadata import JUNK_TITLES, title_from_filename
from docservice.ingest.titles import is_uninformative_name, title_from_content


def titles_from_content(session: Session, extracted: Mapping[int, ExtractedText]) -> None:
    """For each version (id -> what was read) that is its document's latest: when the
    document's title is still the one its uninformative file name gave it, title it by its
    content. A title a person chose differs from the file name's and stays."""
    if not extracted:
        return
    rows = session.execute(
        select(Version.id, Version.filename, Document.id.label("document_id"), Document.title)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(extracted), Document.latest_version_id == Version.id)).all()
    for row in rows:
        if not is_uninformative_name(row.filename):
            continue
        named = title_from_filename(row.filename)
        if row.title != named:
            continue
        text = extracted[row.id]
        found = title_from_content(text.pages, text.title, JUNK_TITLES)
        if found and found != named:  # conditional: a title saved meanwhile stands
            session.execute(update(Document).where(Document.id == row.document_id,
                                                   Document.title == named)
                            .values(title=found).execution_options(synchronize_session=False))
