"""Refresh families revoked for reuse, as every API process sees them at once.

An access token lives up to ACCESS_TOKEN_TTL_S and is verified by signature alone; the
token carries its refresh family (`fid`), and a family revoked because one of its refresh
tokens was used twice is kept in Redis for as long as a token it issued can live, so the
next request of a stolen session is refused, not the one 15 minutes later. One key read
per request. With Redis away the database answers instead (slower, never open).
"""

from __future__ import annotations

from uuid import UUID

from redis.exceptions import RedisError

from server.auth import repository
from server.kit.logging import get_logger
from server.kit.redis import get_redis
from server.kit.settings import get_settings

log = get_logger("server.auth.revocations")

# The access token's verification leeway (tokens.verify_access_token) and a margin.
_LEEWAY_S = 30


def _key(family_id: UUID) -> str:
    return f"revoked-family:{family_id}"


async def revoke_family(family_id: UUID) -> None:
    """After the family's refresh tokens were revoked in the database (committed)."""
    try:
        await get_redis().set(_key(family_id), 1, ex=get_settings().access_token_ttl_s + _LEEWAY_S)
    except (RedisError, OSError) as error:
        # The database has it; requests read it there while Redis is away.
        log.warning("auth.revocation.redis_unavailable", error=type(error).__name__)


async def family_revoked(family_id: UUID) -> bool:
    try:
        return bool(await get_redis().exists(_key(family_id)))
    except (RedisError, OSError) as error:
        log.warning("auth.revocation.database_fallback", error=type(error).__name__)
        return await repository.refresh_family_revoked(family_id)
