"""Baseline engines fed the same pre-analysed tokens and asked the same queries.

Each baseline indexes ``IndexedFields`` (the product's analysis output, so every engine sees
identical terms) and answers an :class:`EngineQuery`: every clause (a token run, matched as a
term or a phrase in title, file name, tags or content, boosted like the product) is
required, filters and the latest-version flag are applied, and it returns the total and the
version ids of one page of hits. No ACL, facets, snippets, synonyms or relaxed retry: the
floor of what a search costs in that engine.

- ``RawTantivy``: tantivy-py directly (our embedded engine without our layer).
- ``Fts5``: SQLite FTS5 with bm25 (metadata in a side table).
- ``Whoosh``: Whoosh (whoosh-reloaded), the engine paperless-ngx left for Tantivy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from docservice.search.analysis import IndexedFields
from docservice.search.query import parse_query, phrase_clauses, term_clauses

BOOSTS = {"title": 4.0, "filename": 3.0, "tags": 3.0, "content": 1.0}
SINGLE = ("category", "subtype", "type", "product", "customer", "industry", "region", "stage",
          "status", "version")
MULTI = ("tag", "year")


@dataclass(frozen=True)
class EngineQuery:
    clauses: tuple[tuple[str, ...], ...]
    filters: tuple[tuple[str, str], ...]
    offset: int
    limit: int

    @property
    def by_date(self) -> bool:
        return not self.clauses


def engine_query(raw: str, *, offset: int = 0, limit: int = 10) -> EngineQuery:
    """The query as the product parses it, each clause as typed (no synonyms)."""
    query = parse_query(raw, offset=offset, limit=limit)
    clauses = term_clauses(query.terms) + phrase_clauses(query.phrases)
    return EngineQuery(tuple(clause.alternatives[0] for clause in clauses), query.filters,
                       offset, limit)


def _values(fields: IndexedFields, name: str) -> list[str]:
    value = getattr(fields, name)
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _first(fields: IndexedFields, name: str) -> str | None:
    found = _values(fields, name)
    return found[0] if found else None


class RawTantivy:
    name = "raw tantivy-py"

    def __init__(self, path: Path) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("version_id", stored=True, indexed=True, fast=True)
        builder.add_boolean_field("is_latest", indexed=True, fast=True)
        builder.add_date_field("uploaded_at", indexed=True, fast=True)
        for name in BOOSTS:
            builder.add_text_field(name, tokenizer_name="bench_tokens", index_option="position")
        for name in SINGLE + MULTI:
            builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
        self.schema = builder.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path), reuse=False)
        self.index.register_tokenizer("bench_tokens", tantivy.TextAnalyzerBuilder(
            tantivy.Tokenizer.whitespace()).build())
        self._writer: Any = self.index.writer(heap_size=256_000_000, num_threads=1)

    def add(self, fields: IndexedFields) -> None:
        document = tantivy.Document()
        document.add_integer("version_id", fields.version_id)
        document.add_boolean("is_latest", fields.is_latest)
        document.add_date("uploaded_at", fields.uploaded_at.replace(tzinfo=None))
        for name in BOOSTS:
            document.add_text(name, getattr(fields, name))
        for name in SINGLE + MULTI:
            for value in _values(fields, name):
                document.add_text(name, value)
        self._writer.add_document(document)

    def finish(self) -> None:
        self._writer.commit()
        self._writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query: EngineQuery) -> tuple[int, list[int]]:
        must = tantivy.Occur.Must
        parts = [(must, self._clause(run)) for run in query.clauses] or [
            (must, tantivy.Query.all_query())]
        parts.append((must, tantivy.Query.term_query(self.schema, "is_latest", True)))
        parts += [(must, tantivy.Query.term_query(self.schema, name, value))
                  for name, value in query.filters]
        result = self.searcher.search(
            tantivy.Query.boolean_query(parts), limit=query.limit, offset=query.offset,
            count=True, order_by_field="uploaded_at" if query.by_date else None,
            order=tantivy.Order.Desc)
        ids = [self.searcher.doc(address)["version_id"][0] for _score, address in result.hits]
        return int(getattr(result, "count", 0) or 0), ids

    def _clause(self, run: Sequence[str]) -> tantivy.Query:
        options = []
        for name, boost in BOOSTS.items():
            match = (tantivy.Query.term_query(self.schema, name, run[0]) if len(run) == 1
                     else tantivy.Query.phrase_query(self.schema, name, list(run)))
            options.append((tantivy.Occur.Should, tantivy.Query.boost_query(match, boost)))
        return tantivy.Query.boolean_query(options)


class Fts5:
    name = "SQLite FTS5"

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(f"""
            PRAGMA journal_mode=WAL;
            CREATE VIRTUAL TABLE fts USING fts5({', '.join(BOOSTS)},
                tokenize="unicode61 remove_diacritics 0");
            CREATE TABLE meta(rowid INTEGER PRIMARY KEY, version_id INTEGER, is_latest INTEGER,
                uploaded_at TEXT, {', '.join(f'{name} TEXT' for name in SINGLE)});
            CREATE TABLE multi(rowid INTEGER, field TEXT, value TEXT);
        """)
        self._rows: list[tuple[Any, ...]] = []

    def add(self, fields: IndexedFields) -> None:
        rowid = fields.version_id
        self.db.execute(f"INSERT INTO fts(rowid, {', '.join(BOOSTS)}) VALUES (?, ?, ?, ?, ?)",
                        (rowid, *(getattr(fields, name) for name in BOOSTS)))
        single = [_first(fields, name) for name in SINGLE]
        self.db.execute(f"INSERT INTO meta VALUES (?, ?, ?, ?, {', '.join('?' * len(SINGLE))})",
                        (rowid, fields.version_id, int(fields.is_latest),
                         fields.uploaded_at.isoformat(), *single))
        self.db.executemany("INSERT INTO multi VALUES (?, ?, ?)",
                            [(rowid, name, value) for name in MULTI
                             for value in _values(fields, name)])

    def finish(self) -> None:
        self.db.executescript("""
            CREATE INDEX meta_latest ON meta(is_latest, uploaded_at);
            CREATE INDEX meta_category ON meta(category);
            CREATE INDEX multi_value ON multi(field, value, rowid);
            INSERT INTO fts(fts) VALUES ('optimize');
            ANALYZE;
        """)
        self.db.commit()

    def search(self, query: EngineQuery) -> tuple[int, list[int]]:
        where = ["m.is_latest = 1"]
        params: list[Any] = []
        for name, value in query.filters:
            if name in MULTI:
                where.append("EXISTS (SELECT 1 FROM multi x WHERE x.rowid = m.rowid "
                             "AND x.field = ? AND x.value = ?)")
                params += [name, value]
            else:
                where.append(f"m.{name} = ?")
                params.append(value)
        if query.by_date:
            source, order = "meta m", "m.uploaded_at DESC"
        else:
            source = "fts JOIN meta m ON m.rowid = fts.rowid"
            where.insert(0, "fts MATCH ?")
            params.insert(0, " AND ".join('"' + " ".join(run) + '"' for run in query.clauses))
            order = f"bm25(fts, {', '.join(str(boost) for boost in BOOSTS.values())})"
        condition = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM {source} WHERE {condition}",
                                params).fetchone()[0]
        rows = self.db.execute(f"SELECT m.version_id FROM {source} WHERE {condition} "
                               f"ORDER BY {order} LIMIT ? OFFSET ?",
                               [*params, query.limit, query.offset]).fetchall()
        return int(total), [row[0] for row in rows]


class Whoosh:
    name = "Whoosh"

    def __init__(self, path: Path) -> None:
        from whoosh import fields, index
        from whoosh.analysis import SpaceSeparatedTokenizer

        tokens = SpaceSeparatedTokenizer()
        schema = fields.Schema(
            version_id=fields.NUMERIC(stored=True), is_latest=fields.ID(),
            uploaded_at=fields.NUMERIC(sortable=True, bits=64),
            **{name: fields.TEXT(analyzer=tokens, field_boost=boost)
               for name, boost in BOOSTS.items()},
            **{name: fields.ID() for name in SINGLE},
            **{name: fields.KEYWORD(commas=True) for name in MULTI})
        path.mkdir(parents=True, exist_ok=True)
        self.index = index.create_in(str(path), schema)
        self._writer: Any = self.index.writer(limitmb=256, procs=1)

    def add(self, fields: IndexedFields) -> None:
        values: dict[str, Any] = {name: getattr(fields, name) for name in BOOSTS}
        values.update({name: _first(fields, name) for name in SINGLE})
        values.update({name: ",".join(_values(fields, name)) for name in MULTI})
        self._writer.add_document(
            version_id=fields.version_id, is_latest=str(int(fields.is_latest)),
            uploaded_at=int(fields.uploaded_at.timestamp()),
            **{name: value for name, value in values.items() if value})

    def finish(self) -> None:
        self._writer.commit()
        self.searcher = self.index.searcher()

    def search(self, query: EngineQuery) -> tuple[int, list[int]]:
        from whoosh import query as q

        parts: list[Any] = [q.Or([self._match(name, run, boost) for name, boost in BOOSTS.items()])
                            for run in query.clauses]
        parts.append(q.Term("is_latest", "1"))
        parts += [q.Term(name, value) for name, value in query.filters]
        wanted = query.offset + query.limit
        if query.by_date:
            results = self.searcher.search(q.And(parts), limit=wanted, sortedby="uploaded_at",
                                           reverse=True)
        else:
            results = self.searcher.search(q.And(parts), limit=wanted)
        ids = [hit["version_id"] for hit in results[query.offset:wanted]]
        return len(results), ids

    @staticmethod
    def _match(name: str, run: Sequence[str], boost: float) -> Any:
        from whoosh import query as q

        if len(run) == 1:
            return q.Term(name, run[0], boost=boost)
        return q.Phrase(name, list(run), boost=boost)
