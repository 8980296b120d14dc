"""Who may read and write: the one rule behind every read path and the index ACL."""

from __future__ import annotations

import pytest

from docservice.db.models import AclEntry, Document
from docservice.domain import Principal, Role
from docservice.services.permissions import can_read, can_write, document_acl_tokens

OWNER = Principal(user_id=1, email="owner@x", role=Role.EDITOR, team_ids=frozenset({10}))
TEAMMATE_EDITOR = Principal(user_id=2, email="mate@x", role=Role.EDITOR,
                            team_ids=frozenset({10}))
TEAMMATE_VIEWER = Principal(user_id=3, email="view@x", role=Role.VIEWER,
                            team_ids=frozenset({10}))
OUTSIDER = Principal(user_id=4, email="out@x", role=Role.EDITOR, team_ids=frozenset({20}))
ADMIN = Principal(user_id=5, email="admin@x", role=Role.ADMIN)


def _doc(visibility: str, acl: list[tuple[str, str]] = ()) -> Document:  # type: ignore[assignment]
    document = Document(title="t", owner_id=1, team_id=10, visibility=visibility)
    document.acl = [AclEntry(principal=who, permission=perm) for who, perm in acl]
    return document


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
    for visibility in ("private", "team", "org"):
        document = _doc(visibility)
        tokens = set(document_acl_tokens(document))
        for who in (OWNER, TEAMMATE_EDITOR, TEAMMATE_VIEWER, OUTSIDER):
            assert bool(tokens & set(who.acl_tokens() or [])) == can_read(who, document)
