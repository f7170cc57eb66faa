"""Queue jobs: the dispatcher's refill, run by the worker's cron every few minutes."""

from __future__ import annotations

from typing import Any

from server.auth.principal import SYSTEM
from server.dispatch import service as work_queue
from server.kit import jobs

DISPATCH_TIMEOUT_S = 600


@jobs.job("queues.dispatch", timeout_s=DISPATCH_TIMEOUT_S, max_tries=1)
async def dispatch(ctx: dict[str, Any]) -> dict[str, int]:
    result = await work_queue.dispatch(SYSTEM)
    return {"scored": result.scored, "queued": result.queued}
