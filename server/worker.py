"""arq WorkerSettings: every registered job, the crons, and the sweep.

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

from server.auth.jobs import purge_refresh_tokens as auth_purge_refresh_tokens
from server.dispatch.jobs import DISPATCH_TIMEOUT_S
from server.dispatch.jobs import dispatch as queues_dispatch
from server.dispatch.scoring import configured_weights
from server.kit import db, jobs
from server.kit.logging import configure_logging, get_logger
from server.kit.redis import close_redis, open_redis
from server.kit.settings import get_settings
from server.placements import normalize

log = get_logger("server.worker")

# While Redis is away, how long the worker waits between attempts to start again (arq
# itself retries its first connection a few times, a second apart).
REDIS_RETRY_S = 2.0

# Importing a domain's jobs module registers its jobs and sweepers.
JOB_MODULES: tuple[str, ...] = (
    "server.auth.jobs",
    "server.placements.jobs",
    "server.dispatch.jobs",
    "server.settlements.jobs",
    "server.settlements.remittance.jobs",
)


async def system_sweep(ctx: dict[str, Any]) -> dict[str, int]:
    found = await jobs.sweep()
    if any(found.values()):
        log.info("system.sweep", **found)
    return found


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    configured_weights(settings)
    configure_logging(settings.log_format, settings.log_level)
    await db.start_pool(settings.db_pool_min, settings.db_pool_max)
    open_redis(settings.redis_url or "")
    await asyncio.to_thread(normalize.warm_up)
    log.info("worker.started", jobs=sorted(jobs.registry.jobs))
    # A worker starting is often one replacing a worker that died: pick up what it left
    # now rather than at the next minute's sweep.
    await system_sweep(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    await close_redis()
    await db.close_pool()


def _load_job_modules() -> None:
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)


_load_job_modules()

from server.settlements.jobs import BREAK_MISSED_PLANS  # noqa: E402
from server.settlements.jobs import break_missed_plans as settlements_break_missed_plans  # noqa: E402
from server.settlements.remittance.jobs import nightly as remittance_nightly  # noqa: E402


class WorkerSettings:
    functions = [
        func(
            spec.function,  # type: ignore[arg-type]
            name=spec.name,
            timeout=spec.timeout_s,
            max_tries=spec.max_tries,
        )
        for spec in jobs.registry.jobs.values()
    ]
    cron_jobs = [
        cron(system_sweep, name="system.sweep", second=0, timeout=120, unique=True),
        # Every five minutes; a missed run is harmless, the next one deals from scratch.
        cron(
            queues_dispatch,  # type: ignore[arg-type]
            name="queues.dispatch.cron",
            minute=set(range(0, 60, 5)),
            second=30,
            timeout=DISPATCH_TIMEOUT_S,
            unique=True,
        ),
        # Hourly, so that it follows the agency's midnight whatever its zone: it enqueues
        # the run only while no run as of today (agency zone) has finished.
        cron(
            remittance_nightly,
            name="settlements.remittance.nightly",
            minute=5,
            second=0,
            timeout=60,
            unique=True,
        ),
        # Daily at 09:15 UTC, after midnight in every contiguous-US zone, so the day's
        # missed instalments and lapsed lump sums are judged on the new date. Idempotent:
        # an offer already broken or expired is not touched again, and a missed day is
        # caught by the sweeper's daily job (or the next run, which judges every offer).
        # Expired refresh tokens are refused anyway; the purge only keeps the table small.
        cron(
            auth_purge_refresh_tokens,  # type: ignore[arg-type]
            name="auth.purge_refresh_tokens.cron",
            hour=4,
            minute=45,
            second=0,
            timeout=300,
            unique=True,
        ),
        cron(
            settlements_break_missed_plans,  # type: ignore[arg-type]
            name=f"{BREAK_MISSED_PLANS}.cron",
            hour=9,
            minute=15,
            second=0,
            timeout=600,
            unique=True,
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
