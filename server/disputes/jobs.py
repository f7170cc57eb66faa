"""The daily reminders of verification requests to their clients."""

from __future__ import annotations

from typing import Any

from server.disputes import reminders
from server.kit.jobs import Cron, DomainJobs

SEND_REMINDERS = "disputes.reminders"


async def send_reminders(ctx: dict[str, Any]) -> int:
    return await reminders.send_reminders()


# Hourly: a run that finds today's reminders recorded tells nothing again (one a day per
# request), and a worker down at one hour is made up by the next, whatever the zone.
JOBS = DomainJobs(
    crons=(Cron(SEND_REMINDERS, send_reminders, timeout_s=300, minute=35, second=0),),
)
