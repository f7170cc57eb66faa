from __future__ import annotations

from typing import Any

from server.auth import service
from server.kit.jobs import Cron, DomainJobs, JobSpec, Sweeper


async def purge_refresh_tokens(ctx: dict[str, Any]) -> int:
    return await service.purge_expired_refresh_tokens()


async def purge_idle_portal_sessions() -> int:
    return await service.purge_idle_portal_sessions()


JOBS = DomainJobs(
    jobs=(JobSpec("auth.purge_refresh_tokens", purge_refresh_tokens, timeout_s=300),),
    # Not work whose trigger was lost, but the sweep's minute suits it: an ended session
    # is refused anyway; this only keeps the table small.
    sweepers=(Sweeper("auth.idle_portal_sessions", purge_idle_portal_sessions),),
    crons=(
        # Expired refresh tokens are refused anyway; the purge only keeps the table small.
        Cron(
            "auth.purge_refresh_tokens.cron",
            purge_refresh_tokens,
            timeout_s=300,
            hour=4,
            minute=45,
            second=0,
        ),
    ),
)
