"""What RQ runs: the job functions, with one Context per worker process."""

from __future__ import annotations

import logging

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.services.context import Context
from docservice.services.ingestion import run_job as run_service_job

log = logging.getLogger(__name__)
_context: Context | None = None


def context() -> Context:
    """Built on the first job, not at import: importing must stay free of side effects."""
    global _context
    if _context is None:
        _context = bootstrap(load_settings(), migrate=False)
    return _context


def run_job(job: str, item_id: int) -> None:
    log.info("job %s(%s) starting", job, item_id)
    run_service_job(context(), job, [item_id])
