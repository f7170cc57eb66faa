"""Fixed-window counting of failed sign-ins, kept in Redis so every API process shares it,
with a per-process fallback when Redis is down.

Only failures count: an attempt is counted as it begins (so parallel guesses cannot slip
past the limit between a check and a count) and handed back when it succeeds, so an
office of hundreds signing in from one address at 8:00 is never stopped, while a password
sprayer, who fails, is.

The fallback keeps the limit in force (each process counts on its own, so the effective
limit is at most processes × the setting) rather than failing open to brute force, or
failing closed and locking every user out during a Redis outage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from server.kit.logging import get_logger
from server.kit.redis import get_redis

log = get_logger("server.auth.rate_limit")

# An attempt handed back only while its window lasts: a DECR on a key that has expired
# would make one that never does.
_GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int


class _LocalWindows:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def begin(self, key: str, window_s: int) -> tuple[int, int]:
        now = time.monotonic()
        started, count = self._windows.get(key, (now, 0))
        if now - started >= window_s:
            started, count = now, 0
        count += 1
        self._windows[key] = (started, count)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window_s}
        return count, max(1, int(window_s - (now - started)))

    def give_back(self, key: str, forget: bool) -> None:
        found = self._windows.get(key)
        if found is None:
            return
        if forget:
            del self._windows[key]
        else:
            self._windows[key] = (found[0], max(0, found[1] - 1))


_local = _LocalWindows()


def _key(name: str) -> str:
    return f"ratelimit:{name}"


async def begin(name: str, limit: int, window_s: int) -> Verdict:
    """Count an attempt under `name` as a failure until `succeeded` says otherwise; refused
    when the window already holds `limit` failures."""
    key = _key(name)
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            # SET NX EX opens the window (EXPIRE NX needs Redis 7); INCR keeps its TTL.
            pipe.set(key, 0, ex=window_s, nx=True)
            pipe.incr(key)
            pipe.ttl(key)
            _, count, ttl = await pipe.execute()
        retry_after = int(ttl) if int(ttl) > 0 else window_s
    except (RedisError, OSError) as error:
        log.warning("auth.rate_limit.local_fallback", error=type(error).__name__)
        count, retry_after = _local.begin(key, window_s)
    return Verdict(allowed=int(count) <= limit, retry_after_s=retry_after)


async def succeeded(name: str, *, forget: bool) -> None:
    """The attempt begun under `name` was no failure: hand it back, or with `forget` clear
    the window's failures altogether (a username whose owner signed in)."""
    key = _key(name)
    try:
        if forget:
            await get_redis().delete(key)
        else:
            await get_redis().eval(_GIVE_BACK, 1, key)  # type: ignore[misc]
    except (RedisError, OSError) as error:
        log.warning("auth.rate_limit.local_fallback", error=type(error).__name__)
        _local.give_back(key, forget)
