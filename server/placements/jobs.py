from __future__ import annotations

from typing import Any
from uuid import UUID

from server.kit.jobs import enqueue, job, sweeper
from server.placements import ingest, repository


@job("placements.ingest", timeout_s=6 * 3600, max_tries=20)
async def ingest_placement(ctx: dict[str, Any], placement_id: str) -> str:
    return await ingest.load_placement(UUID(placement_id))


@sweeper("placements.ingest")
async def requeue_lost_placements() -> int:
    lost = await repository.pending_placements()
    for placement_id in lost:
        # A fresh job id: arq still holds the killed job's id as in progress for hours.
        await enqueue("placements.ingest", str(placement_id))
    return len(lost)
