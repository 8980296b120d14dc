"""Audit events: who did what to which document, and when."""

from __future__ import annotations

from sqlalchemy.orm import Session

from docservice.db.models import AuditEvent
from docservice.domain import Principal


def record(session: Session, principal: Principal, action: str, *,
           document_id: int | None = None, version_id: int | None = None,
           detail: str | None = None) -> None:
    session.add(AuditEvent(user_id=principal.user_id, actor=principal.email, action=action,
                           document_id=document_id, version_id=version_id, detail=detail))
