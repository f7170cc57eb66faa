"""Fixed-window attempt counting for sign-in, kept in Redis so every API process shares
it, with a per-process fallback when Redis is down.

The fallback keeps the limit in force (each process counts on its own, so the effective
limit is at most processes × the setting) rather than failing open to brute force, or
failing closed and locking every user out during a Redis outage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from server.logging import get_logger
from server.redis import get_redis

log = get_logger("server.auth.rate_limit")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int


class _LocalWindows:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        now = time.monotonic()
        started, count = self._windows.get(key, (now, 0))
        if now - started >= window_s:
            started, count = now, 0
        count += 1
        self._windows[key] = (started, count)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window_s}
        return count, max(1, int(window_s - (now - started)))


_local = _LocalWindows()


async def hit(key: str, limit: int, window_s: int) -> Verdict:
    """Count one attempt under `key`; refuse when the window already holds `limit`."""
    redis_key = f"ratelimit:{key}"
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            # SET NX EX opens the window (EXPIRE NX needs Redis 7); INCR keeps its TTL.
            pipe.set(redis_key, 0, ex=window_s, nx=True)
            pipe.incr(redis_key)
            pipe.ttl(redis_key)
            _, count, ttl = await pipe.execute()
        retry_after = int(ttl) if int(ttl) > 0 else window_s
    except (RedisError, OSError) as error:
        log.warning("auth.rate_limit.local_fallback", error=type(error).__name__)
        count, retry_after = _local.hit(redis_key, window_s)
    return Verdict(allowed=int(count) <= limit, retry_after_s=retry_after)
