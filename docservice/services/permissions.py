"""Who may upload. Reading a document goes through the SQL rule in ``docservice.db.access``,
checked against the index's ACL tokens in tests/unit/test_permissions.py."""

from __future__ import annotations

from docservice.domain import Principal
from docservice.errors import N_, PermissionDenied


def require_uploader(principal: Principal) -> None:
    if not principal.can_upload:
        raise PermissionDenied(
            N_("viewers cannot upload documents; ask an admin for editor rights"))
