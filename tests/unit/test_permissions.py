"""Who may read and write: the SQL rule behind every read path, the write rule, and the index
ACL the search trims with (the two read rules must agree)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docservice.db.access import can_write, document_acl_tokens, readable
from docservice.db.models import AclEntry, Base, Document
from docservice.domain import Principal, Role

OWNER = Principal(user_id=1, email="owner@x", role=Role.EDITOR, team_ids=frozenset({10}))
TEAMMATE_EDITOR = Principal(user_id=2, email="mate@x", role=Role.EDITOR,
                            team_ids=frozenset({10}))
TEAMMATE_VIEWER = Principal(user_id=3, email="view@x", role=Role.VIEWER,
                            team_ids=frozenset({10}))
OUTSIDER = Principal(user_id=4, email="out@x", role=Role.EDITOR, team_ids=frozenset({20}))
ADMIN = Principal(user_id=5, email="admin@x", role=Role.ADMIN)


_session: Session | None = None


@pytest.fixture(autouse=True)
def database() -> Iterator[None]:
    """An empty database the documents are stored in, so the read rule runs as SQL."""
    global _session
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        _session = session
        yield
    _session = None
    engine.dispose()


def _doc(visibility: str, acl: list[tuple[str, str]] = ()) -> Document:  # type: ignore[assignment]
    assert _session is not None
    document = Document(title="t", owner_id=1, team_id=10, visibility=visibility)
    document.acl = [AclEntry(principal=who, permission=perm) for who, perm in acl]
    _session.add(document)
    _session.flush()
    return document


def can_read(who: Principal, document: Document) -> bool:
    assert _session is not None
    return _session.scalar(select(Document.id).where(Document.id == document.id,
                                                     readable(who))) is not None


@pytest.mark.parametrize(("visibility", "readers"), [
    ("private", {OWNER, ADMIN}),
    ("team", {OWNER, TEAMMATE_EDITOR, TEAMMATE_VIEWER, ADMIN}),
    ("org", {OWNER, TEAMMATE_EDITOR, TEAMMATE_VIEWER, OUTSIDER, ADMIN}),
])
def test_who_reads_each_visibility(visibility: str, readers: set[Principal]) -> None:
    document = _doc(visibility)
    for who in (OWNER, TEAMMATE_EDITOR, TEAMMATE_VIEWER, OUTSIDER, ADMIN):
        assert can_read(who, document) == (who in readers), (who.email, visibility)


def test_custom_acl_grants_named_users_and_teams() -> None:
    document = _doc("custom", [("user:4", "read"), ("team:30", "write")])
    assert can_read(OUTSIDER, document) and not can_write(OUTSIDER, document)
    team30_editor = Principal(user_id=9, email="t30@x", role=Role.EDITOR,
                              team_ids=frozenset({30}))
    assert can_write(team30_editor, document)
    assert not can_read(TEAMMATE_VIEWER, document)
    assert document_acl_tokens(document) == ["team:30", "user:1", "user:4"]


def test_writers_are_owner_team_editors_and_admins_never_viewers() -> None:
    document = _doc("team")
    assert can_write(OWNER, document) and can_write(TEAMMATE_EDITOR, document)
    assert can_write(ADMIN, document)
    assert not can_write(TEAMMATE_VIEWER, document) and not can_write(OUTSIDER, document)


def test_index_tokens_match_the_read_rule() -> None:
    for visibility, acl in (("private", []), ("team", []), ("org", []),
                            ("custom", [("user:4", "read")]), ("custom", [("team:10", "read")])):
        document = _doc(visibility, acl)
        tokens = set(document_acl_tokens(document))
        for who in (OWNER, TEAMMATE_EDITOR, TEAMMATE_VIEWER, OUTSIDER):
            assert bool(tokens & set(who.acl_tokens() or [])) == can_read(who, document)
