"""RQ on Redis: jobs for worker processes on any number of hosts."""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import StartedJobRegistry

from docservice.errors import QueueUnavailable

log = logging.getLogger(__name__)
JOB_TIMEOUT_S = 3600


def queue_name(prefix: str) -> str:
    return f"{prefix}-ingest"


class RQQueue:
    def __init__(self, redis_url: str, prefix: str = "docservice") -> None:
        self.redis = Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=30)
        self.queue = Queue(queue_name(prefix), connection=self.redis)

    def enqueue(self, job: str, item_id: int) -> None:
        try:
            # Retried only after a service outage: the job returns rq.Retry then (workers/jobs.py).
            self.queue.enqueue("workers.jobs.run_job", job, item_id,
                               job_timeout=JOB_TIMEOUT_S,
                               description=f"{job}({item_id})")
        except RedisError as exc:
            raise QueueUnavailable(f"job queue unreachable: {exc}") from exc

    def start(self) -> None:
        return None

    def stop(self) -> None:
        self.redis.close()

    def pending(self) -> int:
        try:
            started = StartedJobRegistry(queue=self.queue).count
            return int(self.queue.count) + int(started)
        except RedisError as exc:
            raise QueueUnavailable(f"job queue unreachable: {exc}") from exc

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def check(self) -> None:
        try:
            self.redis.ping()
        except RedisError as exc:
            raise QueueUnavailable(f"job queue unreachable: {exc}") from exc
