"""Customer imports from CRM exports: what each row would change, and the change made."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from docservice.crm.formats import Record
from docservice.db.models import Customer, CustomerAlias
from docservice.db.repositories import clean_aliases, record_event
from docservice.domain import Principal

NAME_MAX = 200


@dataclass
class Planned:
    """What importing one row does: create, update, unchanged or refused (with the reason)."""

    record: Record
    action: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)
    customer: Customer | None = None


class _Known:
    """Every customer by CRM id, by name and by other name (case-folded)."""

    def __init__(self, session: Session) -> None:
        customers = session.scalars(select(Customer).options(selectinload(Customer.aliases)))
        self.by_id: dict[tuple[str, str], Customer] = {}
        self.by_name: dict[str, Customer] = {}
        for customer in customers:
            if customer.crm_source and customer.crm_id:
                self.by_id[(customer.crm_source, customer.crm_id)] = customer
            for name in (customer.name, *customer.alias_names):
                self.by_name.setdefault(name.casefold(), customer)

    def owner_of(self, name: str) -> Customer | None:
        return self.by_name.get(name.casefold())


def plan_import(session: Session, source: str, records: Sequence[Record],
                stages: Collection[str]) -> list[Planned]:
    """What importing ``records`` from ``source`` would do, row by row; changes nothing."""
    known = _Known(session)
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    planned = []
    for record in records:
        reason = _refusal(record, stages, seen_ids, seen_names)
        seen_ids.setdefault(record.crm_id, record.line)
        seen_names.setdefault(record.name.casefold(), record.line)
        planned.append(Planned(record, "refused", reason) if reason
                       else _plan_row(known, source, record))
    return planned


def _refusal(record: Record, stages: Collection[str], seen_ids: dict[str, int],
             seen_names: dict[str, int]) -> str:
    if not record.name:
        return "missing name"
    if len(record.name) > NAME_MAX or any(len(a) > NAME_MAX for a in record.aliases):
        return f"name longer than {NAME_MAX} characters"
    if not record.crm_id:
        return "missing record id"
    if record.crm_id in seen_ids:
        return f"duplicate id {record.crm_id} (also on line {seen_ids[record.crm_id]})"
    if record.name.casefold() in seen_names:
        return f"duplicate name {record.name} (also on line {seen_names[record.name.casefold()]})"
    if record.stage is not None and record.stage not in stages:
        return f"unknown stage {record.stage}"
    return ""


def _plan_row(known: _Known, source: str, record: Record) -> Planned:
    customer = known.by_id.get((source, record.crm_id))
    if customer is None:
        customer = known.owner_of(record.name)
        if customer is not None and customer.crm_id:
            return Planned(record, "refused", f"name {record.name} is the customer of "
                                              f"{customer.crm_source} id {customer.crm_id}")
    for name in (record.name, *record.aliases):
        owner = known.owner_of(name)
        if owner is not None and owner is not customer:
            return Planned(record, "refused", f"name {name} belongs to customer {owner.name}")
    if customer is None:
        return Planned(record, "create", changes=[f"{key} {value}" for key, value in
                                                  _wanted(record).items() if value])
    changes = _differences(customer, source, record)
    return Planned(record, "update" if changes else "unchanged", changes=changes,
                   customer=customer)


def _wanted(record: Record) -> dict[str, str | None]:
    """The fields the row sets (a type or stage it does not give stays as it is)."""
    wanted: dict[str, str | None] = {"name": record.name, "industry": record.industry,
                                     "region": record.region}
    if record.type:
        wanted["type"] = record.type
    if record.stage:
        wanted["stage"] = record.stage
    return wanted


def _differences(customer: Customer, source: str, record: Record) -> list[str]:
    changes = [f"{key} {getattr(customer, key) or '-'} -> {value or '-'}"
               for key, value in _wanted(record).items() if getattr(customer, key) != value]
    if (customer.crm_source, customer.crm_id) != (source, record.crm_id):
        changes.append(f"linked to {source} id {record.crm_id}")
    aliases = _aliases_after(customer, record)
    if aliases != customer.alias_names:
        changes.append(f"aliases {', '.join(customer.alias_names) or '-'} -> "
                       f"{', '.join(aliases) or '-'}")
    return changes


def _aliases_after(customer: Customer, record: Record) -> list[str]:
    """The other names after the import: the export's (when it has any, else the present
    ones), and the present name when the CRM renamed the customer (a former name)."""
    aliases = list(record.aliases) if record.aliases else customer.alias_names
    if customer.name != record.name:
        aliases.append(customer.name)
    return clean_aliases(record.name, aliases)


def apply_import(session: Session, principal: Principal, source: str,
                 planned: Sequence[Planned]) -> list[int]:
    """Make the planned creates and updates; the ids of the customers updated (their
    documents need indexing again). Every change is audited."""
    updated = []
    for row in planned:
        record = row.record
        if row.action == "create":
            customer = Customer(crm_source=source, crm_id=record.crm_id,
                                **{key: value for key, value in _wanted(record).items()
                                   if value is not None})
            customer.aliases = [CustomerAlias(name=alias)
                                for alias in clean_aliases(record.name, record.aliases)]
            session.add(customer)
            record_event(session, principal, "customer_create",
                         detail=f"{record.name} ({source} {record.crm_id})")
        elif row.action == "update" and row.customer is not None:
            _update(row.customer, source, record)
            updated.append(row.customer.id)
            record_event(session, principal, "customer_update",
                         detail=f"{record.name}: {', '.join(row.changes)}")
    session.flush()
    return updated


def _update(customer: Customer, source: str, record: Record) -> None:
    aliases = _aliases_after(customer, record)
    for key, value in _wanted(record).items():
        setattr(customer, key, value)
    customer.crm_source, customer.crm_id = source, record.crm_id
    present = {alias.name: alias for alias in customer.aliases}
    customer.aliases[:] = [present.get(alias) or CustomerAlias(name=alias) for alias in aliases]
