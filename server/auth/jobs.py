from __future__ import annotations

from typing import Any

from server.auth import service
from server.jobs import job


@job("auth.purge_refresh_tokens", timeout_s=300)
async def purge_refresh_tokens(ctx: dict[str, Any]) -> int:
    return await service.purge_expired_refresh_tokens()
