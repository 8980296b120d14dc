"""Customers: the classification documents are filed under, and their documents.

Who sees a customer: admins and editors see every customer (they file uploads under them);
a viewer sees the customers of the documents they may read, and no other (a private
contract's customer is nobody else's business). Editors and admins change customers, and
every change is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from docservice.db.access import readable
from docservice.db.models import Customer, Document
from docservice.db.repositories import customer_view, record_event
from docservice.domain import CUSTOMER_STAGES, CUSTOMER_TYPES, Principal
from docservice.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from docservice.inputs import CustomerFields, NewCustomer
from docservice.services import outbox
from docservice.services.context import Context
from docservice.views import CustomerView


def _visible(principal: Principal) -> ColumnElement[bool]:
    """The customers ``principal`` may see, as a condition on Customer."""
    if principal.can_upload:
        return true()
    return Customer.id.in_(select(Document.customer_id).where(
        Document.customer_id.is_not(None), readable(principal)))


def list_customers(ctx: Context, principal: Principal) -> list[CustomerView]:
    with ctx.uow() as uow:
        return [customer_view(c) for c in uow.session.scalars(
            select(Customer).where(_visible(principal)).order_by(Customer.name))]


def get_customer(ctx: Context, principal: Principal, customer_id: int) -> CustomerView:
    """The customer; NotFound also when ``principal`` may not see it (no existence leak)."""
    with ctx.uow() as uow:
        return customer_view(_customer(uow.session, principal, customer_id))


def _customer(session: Session, principal: Principal, customer_id: int) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.id == customer_id,
                                                     _visible(principal)))
    if customer is None:
        raise NotFound(N_("customer %(id)s not found"), id=customer_id)
    return customer


def _require_editor(principal: Principal) -> None:
    if not principal.can_upload:
        raise PermissionDenied(N_("viewers cannot change customers"))


def _clean(fields: CustomerFields) -> dict[str, Any]:
    """The fields given, trimmed; a blank industry or region clears it."""
    data = fields.model_dump(exclude_unset=True)
    values = {key: (str(value).strip() if value is not None else None)
              for key, value in data.items()}
    if "name" in values and not values["name"]:
        raise InvalidInput(N_("a customer needs a name"))
    if values.get("type") not in (None, *CUSTOMER_TYPES):
        raise InvalidInput(N_("customer type must be one of %(allowed)s"),
                           allowed=", ".join(CUSTOMER_TYPES))
    if values.get("stage") not in (None, *CUSTOMER_STAGES):
        raise InvalidInput(N_("buying stage must be one of %(allowed)s"),
                           allowed=", ".join(CUSTOMER_STAGES))
    for key in ("industry", "region"):
        if key in values:
            values[key] = values[key] or None
    return values


def _check_unique(session: Session, name: str | None, customer_id: int | None) -> None:
    if not name:
        return
    # SQLite's lower() folds ASCII only, so the exact name is compared as well.
    clash = session.scalar(select(Customer).where(or_(
        Customer.name == name, func.lower(Customer.name) == name.lower())))
    if clash is not None and clash.id != customer_id:
        raise Conflict(N_("customer %(name)s already exists"), name=name)


def create_customer(ctx: Context, principal: Principal, fields: NewCustomer) -> int:
    _require_editor(principal)
    values = _clean(fields)
    if not values.get("name"):
        raise InvalidInput(N_("a customer needs a name"))
    with ctx.uow() as uow:
        _check_unique(uow.session, values["name"], None)
        customer = Customer(**{key: value for key, value in values.items() if value is not None})
        uow.session.add(customer)
        uow.session.flush()
        customer_id = customer.id
        record_event(uow.session, principal, "customer_create", detail=customer.name)
        uow.commit()
    return customer_id


def update_customer(ctx: Context, principal: Principal, customer_id: int,
                    changes: CustomerFields) -> None:
    """Change a customer; its documents are indexed again (industry, region, stage facets)."""
    _require_editor(principal)
    values = _clean(changes)
    with ctx.uow() as uow:
        customer = _customer(uow.session, principal, customer_id)
        _check_unique(uow.session, values.get("name"), customer_id)
        changed = []
        for key, value in values.items():
            if (value is not None or key in ("industry", "region")) and \
                    getattr(customer, key) != value:
                changed.append(f"{key} {getattr(customer, key) or '-'} -> {value or '-'}")
                setattr(customer, key, value)
        if changed:
            record_event(uow.session, principal, "customer_update",
                         detail=f"{customer.name}: {', '.join(changed)}")
        for document_id in list(uow.session.scalars(
                select(Document.id).where(Document.customer_id == customer_id))):
            uow.owe(outbox.INDEX_DOCUMENT, run_now=True, document_id=document_id)
        uow.commit()


def customer_query(ctx: Context, principal: Principal, customer_id: int, query: str = "") -> str:
    """The search query for the customer's documents (the search trims it by permission)."""
    name = get_customer(ctx, principal, customer_id).name.replace('"', " ")
    return f'customer:"{name}" {query}'.strip()
