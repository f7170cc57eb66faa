from __future__ import annotations

from typing import Any
from uuid import UUID

from server.kit.jobs import DomainJobs, JobSpec, Sweeper, enqueue
from server.placements import ingest, repository


async def ingest_placement(ctx: dict[str, Any], placement_id: str) -> str:
    return await ingest.load_placement(UUID(placement_id))


async def requeue_lost_placements() -> int:
    lost = await repository.pending_placements()
    for placement_id in lost:
        # A fresh job id: arq still holds the killed job's id as in progress for hours.
        await enqueue("placements.ingest", str(placement_id))
    return len(lost)


JOBS = DomainJobs(
    jobs=(JobSpec("placements.ingest", ingest_placement, timeout_s=6 * 3600, max_tries=20),),
    sweepers=(Sweeper("placements.ingest", requeue_lost_placements),),
)
