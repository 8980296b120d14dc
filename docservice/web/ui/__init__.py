"""Pages for people; each module adds its routes to the one ``ui`` blueprint."""

from docservice.web.ui import (  # noqa: F401  (routes)
    account,
    admin,
    customers,
    document_pages,
    export_page,
    following_pages,
    reports,
    review_page,
    search_page,
    share_pages,
    trash_page,
    upload_page,
)
from docservice.web.ui.blueprint import bp

__all__ = ["bp"]
