from __future__ import annotations

from typing import Any
from uuid import UUID

from server.jobs import enqueue, job, sweeper
from server.placements import ingest, repository

# A placement with no heartbeat for this long has lost its worker (a batch beats well
# within it); the sweep queues it again and the load resumes after its last batch.
STALE_AFTER_S = 120


@job("placements.ingest", timeout_s=6 * 3600, max_tries=20)
async def ingest_placement(ctx: dict[str, Any], placement_id: str) -> str:
    return await ingest.load_placement(UUID(placement_id))


@sweeper("placements.ingest")
async def requeue_lost_placements() -> int:
    lost = await repository.pending_placements(STALE_AFTER_S)
    for placement_id in lost:
        # A fresh job id: the old one may still be remembered by arq as done or failed.
        await enqueue("placements.ingest", str(placement_id))
    return len(lost)
