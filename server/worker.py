"""arq WorkerSettings: the jobs and crons each domain declares, and the sweep.

arq's cron never catches up on a missed run and retries a killed job only after its lock
expires, so each cron here is idempotent over the database's state and the sweep
re-enqueues whatever lost its trigger.
"""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings
from arq.worker import run_worker
from redis.exceptions import RedisError

from server import wiring
from server.auth import jobs as auth_jobs
from server.dispatch import jobs as dispatch_jobs
from server.dispatch.scoring import configured_weights
from server.disputes import jobs as disputes_jobs
from server.kit import db, jobs
from server.kit.logging import configure_logging, get_logger
from server.kit.redis import close_redis, open_redis
from server.kit.settings import get_settings
from server.letters import jobs as letters_jobs
from server.notices import jobs as notices_jobs
from server.placements import jobs as placements_jobs
from server.placements import normalize
from server.settlements import jobs as settlements_jobs
from server.settlements.remittance import jobs as remittance_jobs

log = get_logger("server.worker")

# While Redis is away, how long the worker waits between attempts to start again (arq
# itself retries its first connection a few times, a second apart).
REDIS_RETRY_S = 2.0

# What each domain declares: its jobs, the sweepers of work whose trigger was lost, and
# its crons.
DECLARED = jobs.combine(
    (
        auth_jobs.JOBS,
        placements_jobs.JOBS,
        dispatch_jobs.JOBS,
        settlements_jobs.JOBS,
        remittance_jobs.JOBS,
        letters_jobs.JOBS,
        disputes_jobs.JOBS,
        notices_jobs.JOBS,
    )
)


async def system_sweep(ctx: dict[str, Any]) -> dict[str, int]:
    found = await jobs.sweep(DECLARED.sweepers)
    if any(found.values()):
        log.info("system.sweep", **found)
    return found


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    configured_weights(settings)
    configure_logging(settings.log_format, settings.log_level)
    wiring.wire()
    await db.start_pool(settings.db_pool_min, settings.db_pool_max)
    open_redis(settings.redis_url or "")
    await asyncio.to_thread(normalize.warm_up)
    log.info("worker.started", jobs=sorted(spec.name for spec in DECLARED.jobs))
    # A worker starting is often one replacing a worker that died: pick up what it left
    # now rather than at the next minute's sweep.
    await system_sweep(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    await close_redis()
    await db.close_pool()


class WorkerSettings:
    functions = [
        func(
            spec.function,  # type: ignore[arg-type]
            name=spec.name,
            timeout=spec.timeout_s,
            max_tries=spec.max_tries,
        )
        for spec in DECLARED.jobs
    ]
    cron_jobs = [
        cron(system_sweep, name="system.sweep", second=0, timeout=120, unique=True),
        *(
            cron(
                entry.function,  # type: ignore[arg-type]
                name=entry.name,
                hour=entry.hour,
                minute=entry.minute,
                second=entry.second,
                timeout=entry.timeout_s,
                unique=True,
            )
            for entry in DECLARED.crons
        ),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url or "redis://localhost")
    max_jobs = 4
    job_timeout = 300
    health_check_interval = 30
    # Jobs may run again after a crash; each is written to be idempotent.
    allow_abort_jobs = True


def run() -> None:
    """arq's worker until a signal stops it. arq gives up when Redis goes away mid-run
    (its poll raises), which would leave queued work waiting for someone to restart the
    worker: PostgreSQL holds the pending work, so wait for Redis and start again; the
    start-up sweep then triggers what the outage lost."""
    while True:
        try:
            run_worker(WorkerSettings)  # type: ignore[arg-type]
            return
        except (RedisError, OSError) as error:
            log.warning("worker.redis_lost", error=type(error).__name__, retry_s=REDIS_RETRY_S)
        loop = asyncio.get_event_loop()
        # arq's handlers would cancel a worker that is gone: while waiting, a signal
        # stops the process as usual.
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        loop.run_until_complete(shutdown({}))
        time.sleep(REDIS_RETRY_S)
