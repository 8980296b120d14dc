"""JSON API under /api/v1; see ``openapi.py`` for the contract."""

from docservice.web.api import (  # noqa: F401  (routes)
    documents,
    following,
    lifecycle,
    misc,
    openapi,
    reports,
    sharing,
)
from docservice.web.api.blueprint import bp

__all__ = ["bp"]
