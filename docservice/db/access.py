"""Who may read and write a document: the read rule in SQL (every read path filters with it,
so nothing unreadable is ever loaded) and the write rule over a loaded document."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from docservice.db.models import AclEntry, Document, Team, Version
from docservice.domain import Principal, Role, Visibility, acl_tokens_of
from docservice.errors import (
    N_,
    DocumentNotFound,
    PermissionDenied,
    Unprocessable,
    VersionNotFound,
)


def readable(principal: Principal) -> ColumnElement[bool]:
    """The documents ``principal`` may read, as a condition on ``Document``: the owner, the
    whole organisation, the document's team, or a named grant; admins read everything. A
    document in the trash is read by nobody (see ``in_trash_of``).

    The same rule as the index tokens (``document_acl_tokens``) the search trims with."""
    return and_(Document.deleted_at.is_(None), _may_read(principal))


def in_trash_of(principal: Principal) -> ColumnElement[bool]:
    """The documents in the trash that ``principal`` may open and restore: their own, and
    every one for admins."""
    trashed = Document.deleted_at.is_not(None)
    if principal.is_admin:
        return trashed
    if principal.user_id is None:
        return false()
    return and_(trashed, Document.owner_id == principal.user_id)


def _may_read(principal: Principal) -> ColumnElement[bool]:
    held = principal.acl_tokens()
    if held is None:
        return true()
    rules: list[ColumnElement[bool]] = [Document.visibility == Visibility.ORG.value]
    if principal.user_id is not None:
        rules.append(Document.owner_id == principal.user_id)
    if principal.team_ids:
        rules.append(and_(Document.visibility == Visibility.TEAM.value,
                          Document.team_id.in_(sorted(principal.team_ids))))
    rules.append(and_(Document.visibility == Visibility.CUSTOM.value,
                      exists().where(AclEntry.document_id == Document.id,
                                     AclEntry.principal.in_(held))))
    return or_(*rules)


def document_acl_tokens(document: Document) -> list[str]:
    """Principal tokens that may read ``document`` (what the index stores with it)."""
    return acl_tokens_of(document.owner_id, document.team_id, document.visibility,
                         [entry.principal for entry in document.acl]
                         if document.visibility == Visibility.CUSTOM else ())


def can_write(principal: Principal, document: Document) -> bool:
    """Admins; editors who own the document, share its (non-private) team or hold a write
    grant. Viewers never write."""
    if principal.is_admin:
        return True
    if principal.role is not Role.EDITOR or principal.user_id is None:
        return False
    if document.owner_id == principal.user_id:
        return True
    if document.team_id is not None and document.team_id in principal.team_ids and \
            document.visibility != Visibility.PRIVATE:
        return True
    mine = {f"user:{principal.user_id}", *(f"team:{t}" for t in principal.team_ids)}
    return any(entry.permission == "write" and entry.principal in mine
               for entry in document.acl)


def readable_document(session: Session, principal: Principal, document_id: int) -> Document:
    """The document if ``principal`` may read it; DocumentNotFound otherwise (no existence
    leak)."""
    document = session.scalar(select(Document).where(Document.id == document_id,
                                                     readable(principal)))
    if document is None:
        raise DocumentNotFound(document_id)
    return document


def writable_document(session: Session, principal: Principal, document_id: int,
                      denied: str = N_("you may read this document but not change it"),
                      ) -> Document:
    """The document if ``principal`` may change it: DocumentNotFound when they may not read
    it, PermissionDenied (saying ``denied``) when they may read but not change it."""
    document = readable_document(session, principal, document_id)
    if not can_write(principal, document):
        raise PermissionDenied(denied)
    return document


def readable_version(session: Session, principal: Principal, version_id: int) -> Version:
    """The version if ``principal`` may read its document; VersionNotFound otherwise."""
    found = readable_versions(session, principal, [version_id])
    if not found:
        raise VersionNotFound(version_id)
    return found[0]


def readable_versions(session: Session, principal: Principal,
                      version_ids: Collection[int]) -> Sequence[Version]:
    """The versions among ``version_ids`` whose documents ``principal`` may read, by id."""
    return session.scalars(select(Version).join(Document, Document.id == Version.document_id)
                           .where(Version.id.in_(version_ids), readable(principal))
                           .order_by(Version.id)).all()


def require_team_member(session: Session, principal: Principal, team_id: int | None) -> None:
    """A document goes only to a team that exists and, unless an admin files it, that the
    caller belongs to. Raises Unprocessable (422) or PermissionDenied."""
    if team_id is None:
        return
    if session.get(Team, team_id) is None:
        raise Unprocessable(N_("no team with id %(id)s"), id=team_id)
    if not principal.is_admin and team_id not in principal.team_ids:
        raise PermissionDenied(N_("you can only give a document to a team you belong to"))
