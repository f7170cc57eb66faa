"""The nightly letter batch: an hourly trigger that makes one batch per agency day."""

from __future__ import annotations

from typing import Any

from server.kit import clock
from server.kit.jobs import Cron, DomainJobs, JobSpec, enqueue
from server.letters import service

MAKE_BATCH = "letters.batch"
# The agency's local hour from which the night's batch is made (the vendor prints it
# overnight for the next business day's mail).
BATCH_FROM_HOUR = 1


async def make_batch(ctx: dict[str, Any]) -> int:
    made = await service.make_batch()
    return 0 if made.batch is None else made.batch.letter_count


async def nightly(ctx: dict[str, Any]) -> None:
    """Hourly, so that it follows the agency's night whatever its zone: from
    BATCH_FROM_HOUR until a batch of today exists, enqueue one run per hour (a killed run
    left nothing, the batch being one transaction; a run that finds nothing due makes
    nothing)."""
    local = clock.now().astimezone(clock.agency_zone())
    if local.hour < BATCH_FROM_HOUR or await service.batch_made_today():
        return
    await enqueue(MAKE_BATCH, job_id=f"{MAKE_BATCH}:{local:%Y-%m-%dT%H}")


JOBS = DomainJobs(
    jobs=(JobSpec(MAKE_BATCH, make_batch, timeout_s=3_600, max_tries=3),),
    crons=(Cron("letters.nightly", nightly, timeout_s=60, minute=20, second=0),),
)
