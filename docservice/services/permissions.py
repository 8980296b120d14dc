"""Who may read and write a document: one rule, used by every read path and the index."""

from __future__ import annotations

from collections.abc import Iterable

from docservice.db.models import Document
from docservice.domain import Principal, Role, Visibility
from docservice.errors import DocumentNotFound, PermissionDenied


def document_acl_tokens(document: Document) -> list[str]:
    """Principal tokens that may read ``document``; admins read everything anyway."""
    return acl_tokens_of(document.owner_id, document.team_id, document.visibility,
                         [entry.principal for entry in document.acl]
                         if document.visibility == Visibility.CUSTOM else ())


def acl_tokens_of(owner_id: int | None, team_id: int | None, visibility: str,
                  custom: Iterable[str] = ()) -> list[str]:
    """The tokens of ``document_acl_tokens`` from a document's columns (``custom``: its grants'
    principals, read only for custom visibility)."""
    tokens: list[str] = []
    if owner_id is not None:
        tokens.append(f"user:{owner_id}")
    kind = Visibility(visibility)
    if kind is Visibility.ORG:
        tokens.append("org")
    elif kind is Visibility.TEAM and team_id is not None:
        tokens.append(f"team:{team_id}")
    elif kind is Visibility.CUSTOM:
        tokens.extend(custom)
    return sorted(set(tokens)) or ["nobody"]


def can_read(principal: Principal, document: Document) -> bool:
    tokens = principal.acl_tokens()
    return may_read(None if tokens is None else set(tokens), document_acl_tokens(document))


def may_read(held: set[str] | None, document_tokens: Iterable[str]) -> bool:
    """Whether a caller holding the ACL tokens ``held`` (None: an admin, who reads
    everything) holds one of a document's."""
    return held is None or not held.isdisjoint(document_tokens)


def can_write(principal: Principal, document: Document) -> bool:
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


def require_read(principal: Principal, document: Document | None, document_id: int) -> Document:
    """The document if ``principal`` may read it; NotFound otherwise (no existence leak)."""
    if document is None or not can_read(principal, document):
        raise DocumentNotFound(document_id)
    return document


def require_write(principal: Principal, document: Document | None, document_id: int) -> Document:
    document = require_read(principal, document, document_id)
    if not can_write(principal, document):
        raise PermissionDenied("you may read this document but not change it")
    return document


def require_uploader(principal: Principal) -> None:
    if not principal.can_upload:
        raise PermissionDenied("viewers cannot upload documents; ask an admin for editor rights")
