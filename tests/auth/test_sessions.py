"""Sign-in, refresh rotation with reuse detection, and the sign-in rate limit."""

from __future__ import annotations

import asyncpg
import httpx

from server.settings import get_settings
from tests.fixtures import PASSWORD, Caller


async def _login(
    http: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"username": username, "password": password})


async def test_login_returns_both_tokens(http: httpx.AsyncClient, admin: Caller) -> None:
    body = (await _login(http, admin.username or "")).json()
    assert set(body) >= {"access_token", "refresh_token", "expires_in"}
    assert body["expires_in"] == get_settings().access_token_ttl_s


async def test_wrong_password_and_unknown_user_look_the_same(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    wrong = await _login(http, admin.username or "", "not the password at all")
    unknown = await _login(http, "nobody.at.all", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_refresh_rotates_and_the_old_token_stops_working(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    first = (await _login(http, admin.username or "")).json()
    second = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    stolen = (await _login(http, admin.username or "")).json()["refresh_token"]
    legitimate = await http.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    newest = legitimate.json()["refresh_token"]
    reuse = await http.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "invalid_refresh_token"
    # The token the legitimate holder got is revoked with its family.
    assert (
        await http.post("/api/v1/auth/refresh", json={"refresh_token": newest})
    ).status_code == 401
    # Another sign-in starts a new family and works.
    other = (await _login(http, admin.username or "")).json()["refresh_token"]
    assert (
        await http.post("/api/v1/auth/refresh", json={"refresh_token": other})
    ).status_code == 200


async def test_sign_in_is_rate_limited_per_username(http: httpx.AsyncClient, admin: Caller) -> None:
    limit = get_settings().login_attempts_per_window
    # The admin fixture signed in once already.
    for _ in range(limit - 1):
        assert (await _login(http, admin.username or "", "wrong password!!")).status_code == 401
    blocked = await _login(http, admin.username or "")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= get_settings().login_window_s
    assert blocked.json()["error"]["code"] == "too_many_requests"


async def test_the_limit_counts_per_username(http: httpx.AsyncClient, admin: Caller) -> None:
    limit = get_settings().login_attempts_per_window
    for _ in range(limit):
        await _login(http, "someone.else", "wrong password!!")
    assert (await _login(http, admin.username or "")).status_code == 200


async def test_rate_limit_falls_back_to_the_process_when_redis_is_down() -> None:
    """With Redis unreachable the limit still holds (per process), neither open nor shut."""
    from server.auth import rate_limit
    from server.redis import close_redis, get_redis, open_redis

    url = get_settings().redis_url or ""
    await close_redis()
    open_redis("redis://127.0.0.1:1/0")
    try:
        verdicts = [await rate_limit.hit("test:fallback", 3, 60) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
    finally:
        await close_redis()
        open_redis(url)
        await get_redis().ping()


async def test_the_count_is_kept_in_redis_for_every_api_process(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    from server.redis import get_redis

    await _login(http, admin.username or "", "wrong password!!")
    key = f"ratelimit:login:user:{(admin.username or '').lower()}"
    assert int(await get_redis().get(key)) == 2  # the fixture's sign-in and this one
    assert 0 < await get_redis().ttl(key) <= get_settings().login_window_s


async def test_refresh_tokens_are_purged_30_days_after_expiry(
    http: httpx.AsyncClient, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    from server.auth import jobs
    from server.worker import WorkerSettings

    assert admin.username is not None
    assert (await _login(http, admin.username)).status_code == 200
    assert await owner_db.fetchval("SELECT count(*) FROM refresh_token") == 2
    # One expired 30 days ago less a minute (kept: a late reuse is still seen as reuse),
    # the other 30 days and a minute ago (purged).
    await owner_db.execute(
        """
        UPDATE refresh_token SET expires_at = now() - interval '30 days'
            + CASE WHEN id = (SELECT id FROM refresh_token ORDER BY id LIMIT 1)
                   THEN interval '1 minute' ELSE interval '-1 minute' END
        """
    )
    assert await jobs.purge_refresh_tokens({}) == 1
    assert await owner_db.fetchval("SELECT count(*) FROM refresh_token") == 1
    crons = {c.name: c for c in WorkerSettings.cron_jobs}
    assert crons["auth.purge_refresh_tokens.cron"].coroutine is jobs.purge_refresh_tokens
