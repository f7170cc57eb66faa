"""Background jobs: a registry that domain `jobs.py` modules add to, and enqueueing.

Jobs have dotted names by domain (`placements.ingest`). PostgreSQL is the truth for
pending work and Redis only the trigger: `enqueue` never fails a request when Redis is
down, and each domain registers a sweeper that finds work whose trigger was lost, which
the `system.sweep` cron runs every minute.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from server.kit.logging import get_logger
from server.kit.redis import get_redis

log = get_logger("server.kit.jobs")

JobFunction = Callable[..., Awaitable[Any]]
Sweeper = Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    timeout_s: int
    max_tries: int


@dataclass
class Registry:
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    sweepers: dict[str, Sweeper] = field(default_factory=dict)


registry = Registry()


def job(
    name: str, *, timeout_s: int = 300, max_tries: int = 5
) -> Callable[[JobFunction], JobFunction]:
    """Register an arq job under a dotted name; the function receives arq's ctx first."""

    def register(function: JobFunction) -> JobFunction:
        if name in registry.jobs:
            raise ValueError(f"job {name} registered twice")
        registry.jobs[name] = JobSpec(name, function, timeout_s, max_tries)
        return function

    return register


def sweeper(name: str) -> Callable[[Sweeper], Sweeper]:
    """Register a function that re-enqueues lost work and returns how much it found."""

    def register(function: Sweeper) -> Sweeper:
        registry.sweepers[name] = function
        return function

    return register


async def enqueue(name: str, *args: Any, job_id: str | None = None) -> bool:
    """Trigger a job after the transaction that recorded its work has committed.

    A job id makes the trigger idempotent (arq keeps one job per id); False means Redis
    could not be reached and the sweep will pick the work up."""
    try:
        await get_redis().enqueue_job(name, *args, _job_id=job_id)
    except (RedisError, OSError) as error:
        log.warning("jobs.enqueue_deferred", job=name, error=type(error).__name__)
        return False
    return True


async def sweep() -> dict[str, int]:
    found: dict[str, int] = {}
    for name, function in registry.sweepers.items():
        try:
            found[name] = await function()
        except Exception:
            log.exception("jobs.sweeper_failed", sweeper=name)
    return found
