"""Start an RQ worker on the configured Redis: ``python -m workers``."""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue, Worker

from docservice.bootstrap import bootstrap
from docservice.config import load_settings
from docservice.queue.rq_queue import queue_name
from docservice.services.ingestion import requeue_unfinished
from docservice.services.scheduler import start_scheduler
from docservice.services.sweeper import start_sweeper


def main(burst: bool = False) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = bootstrap(settings)
    requeue_unfinished(ctx)
    if not burst:  # while the worker runs, work nobody does is queued again
        start_sweeper(ctx)
        start_scheduler(ctx)  # and periodic work runs (once per period in all processes)
    try:
        connection = Redis.from_url(settings.redis_url)
        queue = Queue(queue_name(settings.index_prefix), connection=connection)
        Worker([queue], connection=connection).work(with_scheduler=True, burst=burst)
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
