"""Who may read and write a document: one rule, used by every read path and the index."""

from __future__ import annotations

from docservice.db.models import Document
from docservice.domain import Principal, Role, Visibility
from docservice.errors import DocumentNotFound, PermissionDenied


def document_acl_tokens(document: Document) -> list[str]:
    """Principal tokens that may read ``document``; admins read everything anyway."""
    tokens: list[str] = []
    if document.owner_id is not None:
        tokens.append(f"user:{document.owner_id}")
    visibility = Visibility(document.visibility)
    if visibility is Visibility.ORG:
        tokens.append("org")
    elif visibility is Visibility.TEAM and document.team_id is not None:
        tokens.append(f"team:{document.team_id}")
    elif visibility is Visibility.CUSTOM:
        tokens.extend(entry.principal for entry in document.acl)
    return sorted(set(tokens)) or ["nobody"]


def can_read(principal: Principal, document: Document) -> bool:
    tokens = principal.acl_tokens()
    return tokens is None or bool(set(tokens) & set(document_acl_tokens(document)))


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
