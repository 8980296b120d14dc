"""Editing a document's metadata and permissions; the index follows every change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docservice.db.access import require_team_member, writable_document
from docservice.db.models import Document, Team, User
from docservice.db.repositories import apply_meta, record_event
from docservice.domain import DocumentMeta, Principal, Visibility, settled_status
from docservice.errors import N_, PermissionDenied, Unprocessable
from docservice.inputs import MetadataChanges
from docservice.services import outbox
from docservice.services.context import Context
from docservice.services.documents import validated_meta as validated

PERMISSION_FIELDS = ("visibility", "team_id", "acl")
PERMISSIONS = ("read", "write")


def _current_meta(document: Document) -> DocumentMeta:
    return DocumentMeta(
        title=document.title, category=document.category, subtype=document.subtype,
        tags=tuple(document.tag_names), product=document.product,
        customer=document.customer.name if document.customer else None,
        visibility=document.visibility, team_id=document.team_id, status=document.status,
        expires_on=document.expires_on, review_by=document.review_by,
        starts_on=document.starts_on,
        acl=tuple((entry.principal, entry.permission) for entry in document.acl))


def _grant_token(session: Session, who: str) -> str:
    """``user:<id>``/``team:<id>`` from an e-mail address, a team name or a token."""
    who = who.strip()
    kind, _, rest = who.partition(":")
    if kind in ("user", "team") and rest.isdigit():
        model: type[User] | type[Team] = User if kind == "user" else Team
        if session.get(model, int(rest)) is None:
            raise Unprocessable(N_("no %(kind)s with id %(id)s"), kind=kind, id=rest)
        return who
    if "@" in who:
        user = session.scalar(select(User).where(User.email == who.lower()))
        if user is None:
            raise Unprocessable(N_("no user with e-mail %(email)s"), email=who)
        return f"user:{user.id}"
    team = session.scalar(select(Team).where(func.lower(Team.name) == who.lower()))
    if team is None:
        raise Unprocessable(N_("no user or team named %(name)r"), name=who)
    return f"team:{team.id}"


def _resolve_grants(session: Session,
                   grants: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Custom grants as index tokens; who is an e-mail, a team name or a ``user:1`` token."""
    resolved: dict[str, str] = {}
    for who, permission in grants:
        if permission not in PERMISSIONS:
            raise Unprocessable(N_("permission must be read or write, not %(permission)r"),
                                permission=permission)
        resolved[_grant_token(session, who)] = permission
    return tuple(sorted(resolved.items()))


def resolve_meta_grants(ctx: Context, meta: DocumentMeta) -> DocumentMeta:
    """``meta`` with its custom grants resolved, ready for :func:`documents.upload`."""
    if not meta.acl:
        return meta
    with ctx.uow() as uow:
        return replace(meta, acl=_resolve_grants(uow.session, meta.acl))


def _changed(before: DocumentMeta, after: DocumentMeta, names: Sequence[str]) -> list[str]:
    return [name for name in names if getattr(before, name) != getattr(after, name)]


def update_metadata(ctx: Context, principal: Principal, document_id: int,
                    changes: MetadataChanges) -> list[str]:
    """Apply the fields given in ``changes``; returns the names of the fields changed.

    Writers edit metadata; only the owner and admins change who may read the document.
    """
    with ctx.uow() as uow:
        session = uow.session
        document = writable_document(session, principal, document_id)
        before = _current_meta(document)
        after = _merged(session, before, changes.given())
        permission_changes = _changed(before, after, PERMISSION_FIELDS)
        if permission_changes and not (principal.is_admin or
                                       document.owner_id == principal.user_id):
            raise PermissionDenied(N_("only the owner or an admin can change who may read this"))
        require_team_member(session, principal, after.team_id if "team_id" in permission_changes
                    else None)
        changed = _changed(before, after, [f.name for f in fields(DocumentMeta)])
        if not changed:
            return []
        document.title = (after.title or document.title).strip()
        document.team_id = after.team_id
        apply_meta(session, document, after)
        if {"category", "subtype"} & set(changed):  # a person chose: no more suggestions
            document.category_suggested = False
        _audit_changes(session, principal, document_id, changed, permission_changes)
        uow.owe(outbox.INDEX_PERMISSIONS if permission_changes else outbox.INDEX_DOCUMENT,
                run_now=True, document_id=document_id)
        uow.commit()
    return changed


def _merged(session: Session, before: DocumentMeta, changes: Mapping[str, Any]) -> DocumentMeta:
    """``before`` with the checked ``changes``; what needs the database is checked here."""
    values = dict(changes)
    if "tags" in values:
        values["tags"] = tuple(sorted({tag.strip().lower() for tag in values["tags"]
                                       if tag.strip()}))
    if "acl" in values:
        values["acl"] = _resolve_grants(session, values["acl"])
    merged = replace(before, **values)
    merged = replace(merged, status=settled_status(merged.category, merged.status))
    if merged.visibility == Visibility.CUSTOM.value and not merged.acl:
        raise Unprocessable(N_("custom visibility needs at least one user or team"))
    return validated(merged)


def _audit_changes(session: Session, principal: Principal, document_id: int,
                   changed: list[str], permission_changes: list[str]) -> None:
    other = [name for name in changed if name not in permission_changes]
    if other:
        record_event(session, principal, "metadata", document_id=document_id,
                     detail=", ".join(other))
    if permission_changes:
        record_event(session, principal, "permissions", document_id=document_id,
                     detail=", ".join(permission_changes))
