"""Rows in and out for the services: audit events, document metadata, people, and the views
of loaded rows the use cases return. Every function here works inside the caller's unit of
work; reading a document goes through ``docservice.db.access``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import overload

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from docservice.db.models import (
    AclEntry,
    ApiToken,
    AuditEvent,
    Customer,
    CustomerAlias,
    Document,
    DocumentTag,
    ShareLink,
    Team,
    User,
    Version,
    utcnow,
)
from docservice.domain import Category, DocumentMeta, Principal, Role, file_kind, is_overdue
from docservice.errors import N_, Conflict, UserNotFound
from docservice.views import (
    CustomerView,
    DocumentView,
    EventView,
    GrantView,
    ShareView,
    TokenView,
    UserView,
    VersionView,
)


def record_event(session: Session, principal: Principal, action: str, *,
                 document_id: int | None = None, version_id: int | None = None,
                 detail: str | None = None) -> None:
    """An audit event: who did what to which document (written with the change)."""
    session.add(AuditEvent(user_id=principal.user_id, actor=principal.email, action=action,
                           document_id=document_id, version_id=version_id, detail=detail))


def customer_named(session: Session, name: str) -> Customer | None:
    """The customer called ``name`` (any letter case), by its name or one of its aliases."""
    # SQL lower() folds only ASCII in SQLite: try the exact name first, then case-folded.
    for column in (Customer.name, CustomerAlias.name):
        query = select(Customer) if column is Customer.name else \
            select(Customer).join(CustomerAlias, CustomerAlias.customer_id == Customer.id)
        found = session.scalar(query.where(column == name).limit(1)) or \
            session.scalar(query.where(func.lower(column) == name.lower()).limit(1))
        if found is not None:
            return found
    return None


def customer_id_named(session: Session, name: str | None) -> int | None:
    """The customer named ``name`` (any letter case, or an alias), created as a prospect if
    new."""
    name = (name or "").strip()
    if not name:
        return None
    customer = customer_named(session, name)
    if customer is None:
        customer = Customer(name=name)
        session.add(customer)
        session.flush()
    return customer.id


def clean_aliases(name: str | None, aliases: Iterable[str]) -> list[str]:
    """Other names trimmed, each once (any letter case), without the name itself."""
    seen = {name.strip().casefold()} if name else set()
    kept = []
    for alias in (alias.strip() for alias in aliases):
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            kept.append(alias)
    return kept


def check_customer_name_free(session: Session, name: str | None, customer_id: int | None) -> None:
    """Raise Conflict when ``name`` is another customer's name or alias."""
    if not name:
        return
    # SQLite's lower() folds ASCII only, so the exact name is compared as well.
    clash = session.scalar(select(Customer.id).where(or_(
        Customer.name == name, func.lower(Customer.name) == name.lower()),
        Customer.id != (customer_id or 0)).limit(1)) or \
        session.scalar(select(CustomerAlias.customer_id).where(or_(
            CustomerAlias.name == name, func.lower(CustomerAlias.name) == name.lower()),
            CustomerAlias.customer_id != (customer_id or 0)).limit(1))
    if clash is not None:
        raise Conflict(N_("customer %(name)s already exists"), name=name)


def set_customer_aliases(session: Session, customer: Customer, aliases: list[str]) -> bool:
    """Replace the customer's other names; True when they changed. A name that is another
    customer's name or alias is refused (detection and ``customer:`` must be unambiguous)."""
    wanted = clean_aliases(customer.name, aliases)
    if wanted == customer.alias_names:
        return False
    for alias in wanted:
        check_customer_name_free(session, alias, customer.id)
    customer.aliases[:] = [next((a for a in customer.aliases if a.name == alias), None)
                           or CustomerAlias(name=alias) for alias in wanted]
    session.flush()
    return True


def customer_document_ids(session: Session, customer_id: int) -> list[int]:
    return list(session.scalars(select(Document.id).where(Document.customer_id == customer_id)))


def apply_meta(session: Session, document: Document, meta: DocumentMeta) -> None:
    document.category = meta.category or Category.OTHER.value
    document.subtype = meta.subtype or None
    document.product = meta.product or None
    document.customer_id = customer_id_named(session, meta.customer)
    document.visibility = meta.visibility
    document.status = meta.status
    document.expires_on = meta.expires_on
    document.starts_on = meta.starts_on
    document.review_by = meta.review_by
    tags = sorted({tag.strip().lower() for tag in meta.tags if tag.strip()})
    document.tags = [DocumentTag(tag=tag) for tag in tags]
    document.acl = _grants(document, meta.acl)


def _grants(document: Document, wanted: Sequence[tuple[str, str]]) -> list[AclEntry]:
    """The grant rows for ``wanted``: rows already there are kept (a grant deleted and
    inserted again in one flush would clash with itself on the unique principal)."""
    permissions = dict(wanted)
    kept = {entry.principal: entry for entry in document.acl if entry.principal in permissions}
    for who, entry in kept.items():
        entry.permission = permissions[who]
    return [kept.get(who) or AclEntry(principal=who, permission=permission)
            for who, permission in permissions.items()]


def grant_labels(session: Session, document: Document) -> tuple[GrantView, ...]:
    """Custom grants as people read them: e-mail or team name, and read or write."""
    rows = []
    for entry in document.acl:
        kind, _, ident = entry.principal.partition(":")
        label = ident
        if ident.isdigit() and kind == "user":
            user = session.get(User, int(ident))
            label = user.email if user else ident
        elif ident.isdigit():
            team = session.get(Team, int(ident))
            label = team.name if team else ident
        rows.append(GrantView(who=label, kind=kind, permission=entry.permission))
    return tuple(rows)


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise UserNotFound(email)
    return user


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, email=user.email, role=Role(user.role),
                     team_ids=frozenset(team.id for team in user.teams))


def document_view(document: Document) -> DocumentView:
    customer = document.customer
    return DocumentView(
        document_id=document.id, title=document.title, category=document.category,
        subtype=document.subtype, category_suggested=document.category_suggested,
        product=document.product, customer=customer.name if customer else None,
        tags=tuple(document.tag_names),
        owner=document.owner.email if document.owner else None,
        team=document.team.name if document.team else None,
        visibility=document.visibility, status=document.status,
        expires_on=_day(document.expires_on),
        latest_version_id=document.latest_version_id, versions=len(document.versions),
        created_at=document.created_at.isoformat(), review_by=_day(document.review_by),
        starts_on=_day(document.starts_on),
        overdue=is_overdue(document.review_by, document.expires_on, document.status,
                           utcnow().date()))


def _day(found: date | None) -> str | None:
    return found.isoformat() if found else None


def version_view(version: Version) -> VersionView:
    return VersionView(
        document_id=version.document_id, version_id=version.id, version=version.number,
        filename=version.filename, title=version.document.title,
        media_type=version.media_type, file_type=file_kind(version.media_type),
        size=version.size, uploaded_at=version.uploaded_at.isoformat(),
        uploader=version.uploader.email if version.uploader else None, note=version.note,
        state=version.state, reason=version.state_reason, progress=version.progress,
        pages=version.page_count, language=version.language,
        is_latest=version.document.latest_version_id == version.id)


def versions_newest_first(document: Document) -> tuple[VersionView, ...]:
    return tuple(version_view(v) for v in sorted(document.versions, key=lambda v: -v.number))


def customer_view(customer: Customer, crm_link: str | None = None) -> CustomerView:
    return CustomerView(customer_id=customer.id, name=customer.name, type=customer.type,
                        industry=customer.industry, region=customer.region,
                        stage=customer.stage, aliases=tuple(customer.alias_names),
                        crm_source=customer.crm_source, crm_id=customer.crm_id,
                        crm_link=crm_link)


def user_view(user: User) -> UserView:
    return UserView(user_id=user.id, email=user.email, name=user.name, role=user.role,
                    active=user.active, teams=tuple(sorted(team.name for team in user.teams)))


def token_view(token: ApiToken) -> TokenView:
    return TokenView(token_id=token.id, name=token.name, created_at=_iso(token.created_at),
                     last_used_at=_iso(token.last_used_at) or None,
                     expires_at=_iso(token.expires_at) or None,
                     keep_after_password_change=token.keep_after_password_change)


def _iso(moment: datetime | None) -> str:
    found = aware(moment)
    return found.isoformat() if found else ""


def token_described(token: ApiToken) -> str:
    """A token as the audit log names it."""
    return f"token {token.id} {token.name}"


def end_tokens_with_password(session: Session, principal: Principal, user_id: int) -> None:
    """A password changed: the user's tokens not made to be kept are revoked (audited)."""
    for token in session.scalars(select(ApiToken).where(
            ApiToken.user_id == user_id, ApiToken.keep_after_password_change.is_(False))):
        record_event(session, principal, "token_revoke",
                     detail=f"{token_described(token)} (password changed)")
        session.delete(token)


def event_view(event: AuditEvent) -> EventView:
    return EventView(event_id=event.id, at=event.at.isoformat(), actor=event.actor,
                     action=event.action, document_id=event.document_id,
                     version_id=event.version_id, detail=event.detail)


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...
def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=utcnow().tzinfo) if moment and moment.tzinfo is None else moment


def share_is_active(share: ShareLink) -> bool:
    expires = aware(share.expires_at)
    return share.revoked_at is None and (expires is None or expires > utcnow())


def share_view(share: ShareLink) -> ShareView:
    expires = aware(share.expires_at)
    return ShareView(share_id=share.id, document_id=share.document_id,
                     version_id=share.version_id, pinned=share.version_id is not None,
                     created_at=share.created_at.isoformat(),
                     expires_at=expires.isoformat() if expires else None,
                     has_password=share.password_hash is not None,
                     revoked=share.revoked_at is not None, active=share_is_active(share))


def stored_blob_keys(session: Session) -> list[str]:
    """Every stored file's key that a version names, each once, in a stable order."""
    return list(session.scalars(select(Version.blob_key).distinct().order_by(Version.blob_key)))
