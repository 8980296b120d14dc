"""What RQ runs: the job functions, with one Context per worker process."""

from __future__ import annotations

import logging

from rq import Retry

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.errors import ServiceUnavailable
from docservice.queue.base import RETRY_INTERVALS_S
from docservice.services.context import Context
from docservice.services.jobs import run_job as run_service_job

log = logging.getLogger(__name__)
_context: Context | None = None


def context() -> Context:
    """Built on the first job, not at import: importing must stay free of side effects."""
    global _context
    if _context is None:
        _context = bootstrap(load_settings(), migrate=False)
    return _context


def run_job(job: str, item_id: int) -> Retry | None:
    """Run the job; after a service outage RQ runs it again later (the Retry returned), after
    any other error it is failed for good (the job recorded the failure and re-raised)."""
    log.info("job %s(%s) starting", job, item_id)
    try:
        run_service_job(context(), job, [item_id])
    except ServiceUnavailable as exc:
        log.warning("job %s(%s) waits for a service: %s", job, item_id, exc.message)
        return Retry(max=len(RETRY_INTERVALS_S), interval=list(RETRY_INTERVALS_S))
    return None
