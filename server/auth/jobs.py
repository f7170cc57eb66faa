from __future__ import annotations

from typing import Any

from server.auth import service
from server.kit.jobs import job, sweeper


@job("auth.purge_refresh_tokens", timeout_s=300)
async def purge_refresh_tokens(ctx: dict[str, Any]) -> int:
    return await service.purge_expired_refresh_tokens()


# Not work whose trigger was lost, but the sweep's minute suits it: an ended session is
# refused anyway; this only keeps the table small.
@sweeper("auth.idle_portal_sessions")
async def purge_idle_portal_sessions() -> int:
    return await service.purge_idle_portal_sessions()
