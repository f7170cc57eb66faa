"""The nightly remittance batch: a cron trigger, and a sweep for a night the cron missed."""

from __future__ import annotations

from typing import Any

from server.kit import clock
from server.kit.jobs import Cron, DomainJobs, JobSpec, Sweeper, enqueue
from server.settlements.remittance import service as remittance

RUN_REMITTANCE = "settlements.remittance.run"


async def run_remittance(ctx: dict[str, Any]) -> int:
    issued = await remittance.run_batch_alone()
    return 0 if issued is None else len(issued)


async def nightly(ctx: dict[str, Any]) -> None:
    """The cron's trigger, once a night: one job per agency date, so two workers' crons
    enqueue one run."""
    if await remittance.run_due_today():
        return
    today = clock.agency_today().isoformat()
    await enqueue(RUN_REMITTANCE, job_id=f"{RUN_REMITTANCE}:{today}")


async def schedule_missed_run() -> int:
    """arq's cron never catches up, and arq holds a killed job's id as in progress for
    hours: until a run as of today (agency zone) has finished, and while no run is alive
    (a run holds the batch lock; a worker that died lost it with its connection), enqueue
    one; one job id per second, so workers starting together enqueue one. A run that
    finds nothing due issues nothing."""
    if await remittance.run_due_today() or await remittance.batch_running():
        return 0
    second = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    await enqueue(RUN_REMITTANCE, job_id=f"{RUN_REMITTANCE}:sweep:{second}")
    return 1


JOBS = DomainJobs(
    jobs=(JobSpec(RUN_REMITTANCE, run_remittance, timeout_s=3_600, max_tries=3),),
    sweepers=(Sweeper("settlements.remittance", schedule_missed_run),),
    crons=(
        # Hourly, so that it follows the agency's midnight whatever its zone: it enqueues
        # the run only while no run as of today (agency zone) has finished.
        Cron("settlements.remittance.nightly", nightly, timeout_s=60, minute=5, second=0),
    ),
)
