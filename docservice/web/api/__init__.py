"""JSON API under /api/v1; see ``openapi.py`` for the contract."""

from docservice.web.api import documents, misc, openapi, sharing  # noqa: F401  (routes)
from docservice.web.api.blueprint import bp

__all__ = ["bp"]
