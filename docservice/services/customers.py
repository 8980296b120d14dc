"""Customers: the classification documents are filed under, and their documents.

Who sees a customer: admins and editors see every customer (they file uploads under them);
a viewer sees the customers of the documents they may read, and no other (a private
contract's customer is nobody else's business). Editors and admins change customers, and
every change is audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session, selectinload

from docservice.config import Settings
from docservice.db.access import readable
from docservice.db.models import Customer, Document
from docservice.db.repositories import (
    check_customer_name_free,
    customer_document_ids,
    customer_view,
    record_event,
    set_customer_aliases,
)
from docservice.db.uow import UnitOfWork
from docservice.domain import CUSTOMER_TYPES, Category, Principal
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied, Unprocessable
from docservice.inputs import CustomerFields, NewCustomer
from docservice.services import outbox
from docservice.services.context import Context
from docservice.views import CustomerMaterial, CustomerView, MaterialGroup, MaterialItem

CLEARABLE = ("industry", "region")


def _visible(principal: Principal) -> ColumnElement[bool]:
    """The customers ``principal`` may see, as a condition on Customer."""
    if principal.can_upload:
        return true()
    return Customer.id.in_(select(Document.customer_id).where(
        Document.customer_id.is_not(None), readable(principal)))


def crm_link(settings: Settings, source: str | None, record_id: str | None) -> str | None:
    """The customer's record in its CRM, from the source's link template (none: no link)."""
    template = str(getattr(settings, f"crm_link_{source}", "") or "") if source else ""
    if not template or not record_id:
        return None
    return template.replace("{id}", quote(record_id, safe=""))


def _view_of(settings: Settings, customer: Customer) -> CustomerView:
    return customer_view(customer, crm_link(settings, customer.crm_source, customer.crm_id))


def list_customers(ctx: Context, principal: Principal, *, type: str | None = None,
                   stage: str | None = None) -> list[CustomerView]:
    """The customers ``principal`` may see, by name; ``type``/``stage`` keep only those."""
    query = select(Customer).where(_visible(principal)).options(selectinload(Customer.aliases))
    if type:
        query = query.where(Customer.type == type)
    if stage:
        query = query.where(Customer.stage == stage)
    with ctx.uow() as uow:
        return [_view_of(ctx.settings, customer)
                for customer in uow.session.scalars(query.order_by(Customer.name))]


def get_customer(ctx: Context, principal: Principal, customer_id: int) -> CustomerView:
    """The customer; NotFound also when ``principal`` may not see it (no existence leak)."""
    with ctx.uow() as uow:
        return _view_of(ctx.settings, _customer(uow.session, principal, customer_id))


def _customer(session: Session, principal: Principal, customer_id: int) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.id == customer_id,
                                                     _visible(principal)))
    if customer is None:
        raise NotFound(N_("customer %(id)s not found"), id=customer_id)
    return customer


def _require_editor(principal: Principal) -> None:
    if not principal.can_upload:
        raise PermissionDenied(N_("viewers cannot change customers"))


def check_dimensions(settings: Settings, type: str | None, stage: str | None) -> None:
    """Raise InvalidInput when ``type`` or ``stage`` is not one of this installation's."""
    if type not in (None, *CUSTOMER_TYPES):
        raise InvalidInput(N_("customer type must be one of %(allowed)s"),
                           allowed=", ".join(CUSTOMER_TYPES))
    if stage not in (None, *settings.customer_stages):  # a well-formed code of no stage here
        raise Unprocessable(N_("buying stage must be one of %(allowed)s"),
                           allowed=", ".join(settings.customer_stages))


def _clean(settings: Settings, fields: CustomerFields) -> dict[str, Any]:
    """The fields given, trimmed; a blank industry or region clears it."""
    data = fields.model_dump(exclude_unset=True)
    aliases = data.pop("aliases", None)
    values: dict[str, Any] = {key: (str(value).strip() if value is not None else None)
                              for key, value in data.items()}
    if "name" in values and not values["name"]:
        raise InvalidInput(N_("a customer needs a name"))
    check_dimensions(settings, values.get("type"), values.get("stage"))
    for key in CLEARABLE:
        if key in values:
            values[key] = values[key] or None
    if aliases is not None:
        values["aliases"] = aliases
    return values


def create_customer(ctx: Context, principal: Principal, fields: NewCustomer) -> int:
    _require_editor(principal)
    values = _clean(ctx.settings, fields)
    if not values.get("name"):
        raise InvalidInput(N_("a customer needs a name"))
    aliases = values.pop("aliases", None) or []
    values.setdefault("stage", ctx.settings.customer_stages[0])
    with ctx.uow() as uow:
        check_customer_name_free(uow.session, values["name"], None)
        customer = Customer(**{key: value for key, value in values.items() if value is not None})
        uow.session.add(customer)
        uow.session.flush()
        set_customer_aliases(uow.session, customer, aliases)
        customer_id = customer.id
        record_event(uow.session, principal, "customer_create", detail=customer.name)
        uow.commit()
    return customer_id


def update_customer(ctx: Context, principal: Principal, customer_id: int,
                    changes: CustomerFields) -> None:
    """Change a customer; its documents are indexed again (industry, region, stage facets)."""
    _require_editor(principal)
    values = _clean(ctx.settings, changes)
    aliases = values.pop("aliases", None)
    with ctx.uow() as uow:
        customer = _customer(uow.session, principal, customer_id)
        check_customer_name_free(uow.session, values.get("name"), customer_id)
        changed = []
        for key, value in values.items():
            if (value is not None or key in CLEARABLE) and getattr(customer, key) != value:
                changed.append(f"{key} {getattr(customer, key) or '-'} -> {value or '-'}")
                setattr(customer, key, value)
        before = ", ".join(customer.alias_names) or "-"
        if aliases is not None and set_customer_aliases(uow.session, customer, aliases):
            changed.append(f"aliases {before} -> {', '.join(customer.alias_names) or '-'}")
        if not changed:
            return
        record_event(uow.session, principal, "customer_update",
                     detail=f"{customer.name}: {', '.join(changed)}")
        _owe_reindex(uow, customer_id)
        uow.commit()


def _owe_reindex(uow: UnitOfWork, customer_id: int) -> None:
    """Owe an index update to each of the customer's documents (its facets changed)."""
    for document_id in customer_document_ids(uow.session, customer_id):
        uow.owe(outbox.INDEX_DOCUMENT, run_now=True, document_id=document_id)


def customer_query(ctx: Context, principal: Principal, customer_id: int, query: str = "") -> str:
    """The search query for the customer's documents (the search trims it by permission)."""
    name = get_customer(ctx, principal, customer_id).name.replace('"', " ")
    return f'customer:"{name}" {query}'.strip()


def customer_material(ctx: Context, principal: Principal, customer_id: int) -> CustomerMaterial:
    """The customer's documents ``principal`` may read, grouped by category and subtype (the
    material's stage: a contract's draft, pending signature, signed ...), and its contracts,
    the soonest to expire first."""
    with ctx.uow() as uow:
        _customer(uow.session, principal, customer_id)
        documents = list(uow.session.scalars(
            select(Document).where(Document.customer_id == customer_id, readable(principal))
            .order_by(Document.category, Document.subtype, Document.updated_at.desc())))
        items = [_item(document) for document in documents]
    groups: dict[tuple[str, str | None], list[MaterialItem]] = {}
    for item in items:
        groups.setdefault((item.category, item.subtype), []).append(item)
    contracts = sorted((item for item in items if item.category == Category.CONTRACT.value),
                       key=lambda item: (item.expires_on is None, item.expires_on or ""))
    return CustomerMaterial(
        groups=tuple(MaterialGroup(category, subtype, tuple(found))
                     for (category, subtype), found in groups.items()),
        contracts=tuple(contracts))


def _item(document: Document) -> MaterialItem:
    return MaterialItem(document_id=document.id, title=document.title,
                        category=document.category, subtype=document.subtype,
                        status=document.status,
                        expires_on=document.expires_on.isoformat() if document.expires_on
                        else None, updated_at=document.updated_at.isoformat())
