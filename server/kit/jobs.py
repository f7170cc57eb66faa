"""Background jobs: what each domain declares for the worker, and enqueueing.

Jobs have dotted names by domain (`placements.ingest`). Each domain's `jobs.py` declares
what it contributes as a `DomainJobs` value (its jobs, its sweepers, its crons and their
schedules); the worker builds arq's settings from an explicit list of them. PostgreSQL
is the truth for pending work and Redis only the trigger: `enqueue` never fails a
request when Redis is down, and each domain declares a sweeper that finds work whose
trigger was lost, which the `system.sweep` cron runs every minute.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from redis.exceptions import RedisError

from server.kit.logging import get_logger
from server.kit.redis import get_redis

log = get_logger("server.kit.jobs")

JobFunction = Callable[..., Awaitable[Any]]
SweeperFunction = Callable[[], Awaitable[int]]
# A cron field as arq takes it: one value, a set of them, or None for every one.
CronField = int | set[int] | None


@dataclass(frozen=True)
class JobSpec:
    """An arq job under a dotted name; the function receives arq's ctx first."""

    name: str
    function: JobFunction
    timeout_s: int = 300
    max_tries: int = 5


@dataclass(frozen=True)
class Sweeper:
    """A function that re-enqueues lost work and returns how much it found."""

    name: str
    function: SweeperFunction


@dataclass(frozen=True)
class Cron:
    """A function arq's cron runs at the times the fields match (UTC), one run at a time
    across workers."""

    name: str
    function: JobFunction
    timeout_s: int
    hour: CronField = None
    minute: CronField = None
    second: CronField = 0


@dataclass(frozen=True)
class DomainJobs:
    jobs: tuple[JobSpec, ...] = ()
    sweepers: tuple[Sweeper, ...] = ()
    crons: tuple[Cron, ...] = ()


def combine(declared: Iterable[DomainJobs]) -> DomainJobs:
    """All the domains' declarations as one; a name declared twice is refused."""
    domains = tuple(declared)
    return DomainJobs(
        jobs=_once_each("job", (spec for domain in domains for spec in domain.jobs)),
        sweepers=_once_each("sweeper", (s for domain in domains for s in domain.sweepers)),
        crons=_once_each("cron", (cron for domain in domains for cron in domain.crons)),
    )


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _once_each(kind: str, items: Iterable[_N]) -> tuple[_N, ...]:
    kept = tuple(items)
    names = [item.name for item in kept]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"{kind} {name} declared twice")
    return kept


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


async def sweep(sweepers: Iterable[Sweeper]) -> dict[str, int]:
    found: dict[str, int] = {}
    for sweeper in sweepers:
        try:
            found[sweeper.name] = await sweeper.function()
        except Exception:
            log.exception("jobs.sweeper_failed", sweeper=sweeper.name)
    return found
