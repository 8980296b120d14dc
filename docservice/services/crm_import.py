"""Import customers from CRM exports (Zoho CRM Accounts, 纷享销客 客户, plain CSV), and find a
customer by its CRM record.

An import upserts by the CRM's record id: the same export twice changes nothing, a later one
updates what changed. It is all or nothing: while any row is refused (missing name or id,
duplicate id or name, unknown stage, a name another customer has) nothing is imported, and
the report says why per row. Only admins import; every change is audited.
"""

from __future__ import annotations

from sqlalchemy import select

from docservice.crm import formats
from docservice.crm.tables import read_table
from docservice.db import crm
from docservice.db.models import Customer
from docservice.db.repositories import customer_document_ids, record_event
from docservice.domain import Principal
from docservice.errors import N_, InvalidInput, NotFound, PermissionDenied
from docservice.services import customers, outbox
from docservice.services.context import Context
from docservice.views import CustomerImport, CustomerView, ImportedRow

MAX_BYTES = 20 * 1024 * 1024


def import_customers(ctx: Context, principal: Principal, data: bytes, *,
                     source: str | None = None, dry_run: bool = False) -> CustomerImport:
    """Import (or with ``dry_run`` only plan) the customers of the export ``data``;
    ``source`` (zoho, fxiaoke, csv) is recognised from the header when not given."""
    if not principal.is_admin:
        raise PermissionDenied(N_("only admins import customers"))
    if len(data) > MAX_BYTES:
        raise InvalidInput(N_("the file is larger than %(mb)s MB"), mb=MAX_BYTES // 2**20)
    header, rows = read_table(data)
    source = _source(source, header)
    records = formats.records(source, header, rows)
    with ctx.uow() as uow:
        planned = crm.plan_import(uow.session, source, records, ctx.settings.customer_stages)
        refused = sum(row.action == "refused" for row in planned)
        applied = not dry_run and not refused
        if applied:
            for customer_id in crm.apply_import(uow.session, principal, source, planned):
                for document_id in customer_document_ids(uow.session, customer_id):
                    uow.owe(outbox.INDEX_DOCUMENT, document_id=document_id)
            record_event(uow.session, principal, "customer_import",
                         detail=_summary(source, planned))
            uow.commit()
    return _report(source, dry_run, applied, planned)


def _source(given: str | None, header: list[str]) -> str:
    if given is not None and given not in formats.SOURCES:
        raise InvalidInput(N_("source must be one of %(allowed)s"),
                           allowed=", ".join(formats.SOURCES))
    source = given or formats.recognise(header)
    if source is None:
        raise InvalidInput(N_("the header row is not that of a Zoho CRM Accounts or 纷享销客 客户 "
                              "export, nor name,crm_id,...; say --source"))
    missing = formats.missing_columns(source, header)
    if missing:
        raise InvalidInput(N_("the file lacks the column %(column)s"), column=missing[0])
    return source


def _summary(source: str, planned: list[crm.Planned]) -> str:
    counts = {action: sum(row.action == action for row in planned)
              for action in ("create", "update", "unchanged")}
    return (f"{source}: {counts['create']} created, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged")


def _report(source: str, dry_run: bool, applied: bool,
            planned: list[crm.Planned]) -> CustomerImport:
    def count(action: str) -> int:
        return sum(row.action == action for row in planned)

    return CustomerImport(
        source=source, dry_run=dry_run, applied=applied, created=count("create"),
        updated=count("update"), unchanged=count("unchanged"), refused=count("refused"),
        rows=tuple(ImportedRow(line=row.record.line, action=row.action, name=row.record.name,
                               crm_id=row.record.crm_id, reason=row.reason,
                               changes=tuple(row.changes)) for row in planned))


def customer_by_crm(ctx: Context, principal: Principal, source: str,
                    crm_id: str) -> CustomerView:
    """The customer imported from ``source`` record ``crm_id``; NotFound also when the
    caller may not see it (the customer rule: editors, or readers of one of its documents)."""
    with ctx.uow() as uow:
        customer_id = uow.session.scalar(select(Customer.id).where(
            Customer.crm_source == source, Customer.crm_id == crm_id))
    if customer_id is None:
        raise NotFound(N_("no customer with %(source)s id %(id)s"), source=source, id=crm_id)
    try:
        return customers.get_customer(ctx, principal, customer_id)
    except NotFound:
        raise NotFound(N_("no customer with %(source)s id %(id)s"), source=source,
                       id=crm_id) from None

