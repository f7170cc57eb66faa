"""The process's Redis client, shared by rate limiting and job enqueueing.

Created without connecting: the API must start and keep serving while Redis is down
(PostgreSQL is the truth for pending work; Redis only triggers it), so every caller
treats a Redis error as "not now", never as a failed request.
"""

from __future__ import annotations

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

_client: ArqRedis | None = None

# Short timeouts: a Redis outage must cost a request milliseconds, not seconds.
SOCKET_TIMEOUT_S = 0.5


def open_redis(url: str) -> ArqRedis:
    global _client
    pool = ConnectionPool.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=SOCKET_TIMEOUT_S,
        health_check_interval=30,
    )
    _client = ArqRedis(connection_pool=pool)
    return _client


def get_redis() -> ArqRedis:
    if _client is None:
        raise RuntimeError("Redis is not open in this process")
    return _client


async def close_redis() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None
