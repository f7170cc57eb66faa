"""Queue jobs: the dispatcher's refill, run by the worker's cron every few minutes."""

from __future__ import annotations

from typing import Any

from server.auth.principal import SYSTEM
from server.dispatch import service as work_queue
from server.kit.jobs import Cron, DomainJobs, JobSpec

DISPATCH_TIMEOUT_S = 600


async def dispatch(ctx: dict[str, Any]) -> dict[str, int]:
    result = await work_queue.dispatch(SYSTEM)
    return {"scored": result.scored, "queued": result.queued}


JOBS = DomainJobs(
    jobs=(JobSpec("queues.dispatch", dispatch, timeout_s=DISPATCH_TIMEOUT_S, max_tries=1),),
    crons=(
        # Every five minutes, all day: reach (callable now / within the hour / later) moves
        # with the clock, and every zone's calling hours need a run at least every 15
        # minutes. A missed run is harmless, the next one deals from scratch.
        Cron(
            "queues.dispatch.cron",
            dispatch,
            timeout_s=DISPATCH_TIMEOUT_S,
            minute=set(range(0, 60, 5)),
            second=30,
        ),
    ),
)
