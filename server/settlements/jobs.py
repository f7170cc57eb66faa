from __future__ import annotations

from typing import Any

from server.kit import clock
from server.kit.jobs import enqueue, job, sweeper
from server.settlements.services import idempotency, offers

PURGE_IDEMPOTENCY_KEYS = "settlements.purge_idempotency_keys"


@job(PURGE_IDEMPOTENCY_KEYS, timeout_s=600)
async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    return await idempotency.purge_idempotency_keys()


@sweeper("settlements.idempotency_keys")
async def schedule_purge() -> int:
    """Once a day (one job id per date; arq refuses a second while it remembers the
    first): forgetting old keys is housekeeping, never urgent."""
    today = clock.agency_today().isoformat()
    await enqueue(PURGE_IDEMPOTENCY_KEYS, job_id=f"{PURGE_IDEMPOTENCY_KEYS}:{today}")
    return 0


BREAK_MISSED_PLANS = "settlements.break_missed_plans"


@job(BREAK_MISSED_PLANS, timeout_s=600)
async def break_missed_plans(ctx: dict[str, Any]) -> dict[str, int]:
    return await offers.close_lapsed_offers()


@sweeper("settlements.lapsed_offers")
async def schedule_break_missed_plans() -> int:
    """Daily (one job id per date, like a cron that catches up: a night the worker was
    down is covered by the next sweep, and a late run judges every offer as of its day)."""
    today = clock.agency_today().isoformat()
    await enqueue(BREAK_MISSED_PLANS, job_id=f"{BREAK_MISSED_PLANS}:{today}")
    return 0
