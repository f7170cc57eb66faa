"""The outbox's sender, triggered by the minute's sweep (and a worker's start) while
anything is due: the outbox is the truth, Redis only the trigger."""

from __future__ import annotations

from typing import Any

from server.kit import clock
from server.kit.jobs import DomainJobs, JobSpec, Sweeper, enqueue
from server.notices import service

SEND = "notices.send"


async def send(ctx: dict[str, Any]) -> int:
    return (await service.send_due(service.smtp_target())).sent


async def sweep_due() -> int:
    """Notices due and a server to send them to: trigger the sender. One trigger a minute
    (arq keeps one job per id); two senders at once pass over each other's rows."""
    if service.smtp_target() is None:
        return 0
    due = await service.due_count()
    if due:
        await enqueue(SEND, job_id=f"{SEND}:{clock.now():%Y-%m-%dT%H:%M}")
    return due


JOBS = DomainJobs(
    jobs=(JobSpec(SEND, send, timeout_s=3_600, max_tries=3),),
    sweepers=(Sweeper(SEND, sweep_due),),
)
