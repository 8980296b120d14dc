"""The Tantivy schema and an IndexEntry as a Tantivy document; stored fields back as a hit."""

from __future__ import annotations

import json
from typing import Any

import tantivy

from docservice.domain import IndexedVersion, IndexEntry, SearchHit
from docservice.search.analysis import IndexedFields, entry_fields
from docservice.search.plan import KEYWORD_FIELDS, PAIRS, TEXT_BOOSTS, pairs_text, utc, values

TOKENIZER = "docservice_tokens"  # whitespace: the text arrives analysed (analysis.py)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("version_id", "document_id"):
        builder.add_integer_field(name, stored=True, indexed=True, fast=True)
    builder.add_integer_field("version", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("is_latest", stored=True, indexed=True, fast=True)
    for name in TEXT_BOOSTS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
        builder.add_text_field(name + PAIRS, tokenizer_name=TOKENIZER, index_option="position")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("acl", tokenizer_name="raw", index_option="basic")
    for name in ("year", "owner", "team"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_date_field("uploaded_at", stored=True, indexed=True, fast=True)
    builder.add_date_field("expires_on", indexed=True, fast=True)
    builder.add_bytes_field("display", stored=True)
    return builder.build()


def entry_document(entry: IndexEntry) -> tantivy.Document:
    fields = entry_fields(entry)
    document = tantivy.Document()
    for name in ("version_id", "document_id", "version"):
        document.add_integer(name, getattr(fields, name))
    document.add_boolean("is_latest", fields.is_latest)
    for name in TEXT_BOOSTS:
        document.add_text(name, getattr(fields, name))
        document.add_text(name + PAIRS, pairs_text(getattr(fields, name)))
    for name in KEYWORD_FIELDS:
        for value in values(getattr(fields, name)):
            document.add_text(name, value)
    for token in fields.acl:
        document.add_text("acl", token)
    for name in ("year", "owner", "team"):
        for number in values(getattr(fields, name)):
            document.add_integer(name, number)
    document.add_date("uploaded_at", utc(fields.uploaded_at))
    if fields.expires_on is not None:
        document.add_date("expires_on", utc(fields.expires_on))
    document.add_bytes("display", _display(fields))
    return document


def stored_hit(searcher: tantivy.Searcher, score: Any, address: tantivy.DocAddress, *,
               by_date: bool) -> SearchHit:
    stored: dict[str, list[Any]] = searcher.doc(address).to_dict()
    display = json.loads(stored["display"][0])
    return SearchHit(document_id=int(stored["document_id"][0]),
                     version_id=int(stored["version_id"][0]),
                     score=0.0 if by_date else float(score),
                     version=int(stored["version"][0]), title=display["title"],
                     filename=display["filename"], category=display["category"],
                     is_latest=bool(stored["is_latest"][0]))


def indexed_version(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> IndexedVersion:
    stored: dict[str, list[Any]] = searcher.doc(address).to_dict()
    return IndexedVersion(version_id=int(stored["version_id"][0]),
                          document_id=int(stored["document_id"][0]),
                          digest=json.loads(stored["display"][0]).get("digest"))


def _display(fields: IndexedFields) -> bytes:
    return json.dumps({"title": fields.display_title, "filename": fields.display_filename,
                       "category": fields.display_category, "digest": fields.digest},
                      ensure_ascii=False).encode()
