"""Who may upload, and the read rule over index tokens (the search trims hits with it).

Reading a document goes through the SQL rule in ``docservice.db.access``; both rules are
checked against each other in tests/unit/test_permissions.py.
"""

from __future__ import annotations

from docservice.domain import Principal
from docservice.domain import acl_tokens_of as acl_tokens_of
from docservice.domain import may_read as may_read
from docservice.errors import N_, PermissionDenied


def require_uploader(principal: Principal) -> None:
    if not principal.can_upload:
        raise PermissionDenied(
            N_("viewers cannot upload documents; ask an admin for editor rights"))
