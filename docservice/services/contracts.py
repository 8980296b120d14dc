"""The contract lifecycle: status (draft, pending signature, signed, expired, terminated),
start and expiry, the customer; the daily job that marks signed contracts past their expiry
as expired (audited ``contract_expired``); lists of contracts expiring soon and of a
customer's contracts, for notifications and customer pages.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, select

from docservice.db.access import readable
from docservice.db.models import Document, utcnow
from docservice.db.repositories import record_event
from docservice.domain import SCHEDULER, Category, Principal
from docservice.errors import N_, InvalidInput
from docservice.services import outbox
from docservice.services.context import Context
from docservice.views import ContractView

CONTRACT_EXPIRED = "contract_expired"  # audit action of the daily job
MAX_WITHIN_DAYS = 3650
INDEX_BATCH = 200


def expire_contracts(ctx: Context) -> str:
    """The daily job: every signed contract whose expiry has passed becomes expired (and a
    ``signed`` subtype with it), one audit event each; safe to run again."""
    today = utcnow().date()
    with ctx.uow() as uow:
        due = list(uow.session.scalars(select(Document).where(
            Document.deleted_at.is_(None), Document.category == Category.CONTRACT.value,
            Document.status == "signed", Document.expires_on < today).order_by(Document.id)))
        for document in due:
            document.status = "expired"
            if document.subtype == "signed":
                document.subtype = "expired"
            record_event(uow.session, SCHEDULER, CONTRACT_EXPIRED, document_id=document.id,
                         detail=f"{document.title}: expired on {document.expires_on}")
        ids = [document.id for document in due]
        for start in range(0, len(ids), INDEX_BATCH):
            uow.owe(outbox.INDEX_DOCUMENTS, document_ids=ids[start:start + INDEX_BATCH])
        uow.commit()
    return f"{len(ids)} signed contracts past their expiry marked expired"


def contracts_expiring(ctx: Context, principal: Principal, within_days: int = 30
                       ) -> list[ContractView]:
    """Signed contracts the caller may read that expire today or within ``within_days``,
    soonest first (the scheduler's principal: every one)."""
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidInput(N_("days must be between 0 and %(max)s"), max=MAX_WITHIN_DAYS)
    today = utcnow().date()
    return _contracts(ctx, principal, and_(
        Document.status == "signed",
        Document.expires_on.between(today, today + timedelta(days=within_days))))


def customer_contracts(ctx: Context, principal: Principal, customer_id: int
                       ) -> list[ContractView]:
    """A customer's contracts the caller may read, any status, soonest expiry first."""
    return _contracts(ctx, principal, Document.customer_id == customer_id)


def _contracts(ctx: Context, principal: Principal, condition: ColumnElement[bool]
               ) -> list[ContractView]:
    today = utcnow().date()
    with ctx.uow() as uow:
        documents = uow.session.scalars(
            select(Document).where(Document.category == Category.CONTRACT.value, condition,
                                   readable(principal))
            .order_by(Document.expires_on.is_(None), Document.expires_on, Document.id))
        return [_view(document, today) for document in documents]


def _view(document: Document, today: date) -> ContractView:
    return ContractView(
        document_id=document.id, title=document.title, status=document.status,
        customer=document.customer.name if document.customer else None,
        customer_id=document.customer_id,
        owner=document.owner.email if document.owner else None,
        team=document.team.name if document.team else None,
        starts_on=document.starts_on.isoformat() if document.starts_on else None,
        expires_on=document.expires_on.isoformat() if document.expires_on else None,
        days_left=(document.expires_on - today).days if document.expires_on else None)
