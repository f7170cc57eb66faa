from __future__ import annotations

from typing import Any

from server.kit import clock
from server.kit.jobs import Cron, DomainJobs, JobSpec, Sweeper, enqueue
from server.settlements.services import idempotency, offers, promises

PURGE_IDEMPOTENCY_KEYS = "settlements.purge_idempotency_keys"


async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    return await idempotency.purge_idempotency_keys()


async def schedule_purge() -> int:
    """Once a day (one job id per date; arq refuses a second while it remembers the
    first): forgetting old keys is housekeeping, never urgent."""
    today = clock.agency_today().isoformat()
    await enqueue(PURGE_IDEMPOTENCY_KEYS, job_id=f"{PURGE_IDEMPOTENCY_KEYS}:{today}")
    return 0


BREAK_MISSED_PLANS = "settlements.break_missed_plans"


async def break_missed_plans(ctx: dict[str, Any]) -> dict[str, int]:
    return await offers.close_lapsed_offers()


async def schedule_break_missed_plans() -> int:
    """Daily (one job id per date, like a cron that catches up: a night the worker was
    down is covered by the next sweep, and a late run judges every offer as of its day)."""
    today = clock.agency_today().isoformat()
    await enqueue(BREAK_MISSED_PLANS, job_id=f"{BREAK_MISSED_PLANS}:{today}")
    return 0


JUDGE_LAPSED_PROMISES = "settlements.judge_lapsed_promises"


async def judge_lapsed_promises(ctx: dict[str, Any]) -> dict[str, int]:
    return await promises.judge_lapsed_promises()


async def schedule_judge_lapsed_promises() -> int:
    """Daily, like the offers' sweep: a promise whose window closed yesterday is judged
    today, and a night the worker was down is caught up by the next run."""
    today = clock.agency_today().isoformat()
    await enqueue(JUDGE_LAPSED_PROMISES, job_id=f"{JUDGE_LAPSED_PROMISES}:{today}")
    return 0


JOBS = DomainJobs(
    jobs=(
        JobSpec(PURGE_IDEMPOTENCY_KEYS, purge_idempotency_keys, timeout_s=600),
        JobSpec(BREAK_MISSED_PLANS, break_missed_plans, timeout_s=600),
        JobSpec(JUDGE_LAPSED_PROMISES, judge_lapsed_promises, timeout_s=600),
    ),
    sweepers=(
        Sweeper("settlements.idempotency_keys", schedule_purge),
        Sweeper("settlements.lapsed_offers", schedule_break_missed_plans),
        Sweeper("settlements.lapsed_promises", schedule_judge_lapsed_promises),
    ),
    crons=(
        # Daily at 09:15 UTC, after midnight in every contiguous-US zone, so the day's
        # missed instalments and lapsed lump sums are judged on the new date. Idempotent:
        # an offer already broken or expired is not touched again, and a missed day is
        # caught by the sweeper's daily job (or the next run, which judges every offer).
        Cron(
            f"{BREAK_MISSED_PLANS}.cron",
            break_missed_plans,
            timeout_s=600,
            hour=9,
            minute=15,
            second=0,
        ),
        # Right after it, on the same new date: promises whose window closed yesterday.
        Cron(
            f"{JUDGE_LAPSED_PROMISES}.cron",
            judge_lapsed_promises,
            timeout_s=600,
            hour=9,
            minute=20,
            second=0,
        ),
    ),
)
