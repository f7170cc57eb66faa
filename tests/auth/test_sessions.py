"""Sign-in, refresh rotation with reuse detection, and the sign-in rate limit."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from server.kit.settings import get_settings
from tests.fixtures import PASSWORD, Caller, client_from


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


async def test_failed_sign_ins_are_limited_per_username(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    limit = get_settings().login_failures_per_username
    assert limit == 10
    # The admin fixture's own sign-in succeeded, so it does not count.
    for _ in range(limit):
        assert (await _login(http, admin.username or "", "wrong password!!")).status_code == 401
    blocked = await _login(http, admin.username or "")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= get_settings().login_window_s
    assert blocked.json()["error"]["code"] == "too_many_requests"


async def test_a_success_clears_the_usernames_failures(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    limit = get_settings().login_failures_per_username
    for _ in range(limit - 1):
        assert (await _login(http, admin.username or "", "wrong password!!")).status_code == 401
    assert (await _login(http, admin.username or "")).status_code == 200
    answers = [
        (await _login(http, admin.username or "", "wrong password!!")).status_code
        for _ in range(limit + 1)
    ]
    assert answers == [401] * limit + [429]


async def test_the_limit_counts_per_username(http: httpx.AsyncClient, admin: Caller) -> None:
    limit = get_settings().login_failures_per_username
    for _ in range(limit + 1):
        await _login(http, "someone.else", "wrong password!!")
    assert (await _login(http, admin.username or "")).status_code == 200


async def test_an_office_signs_in_from_one_address_and_a_sprayer_is_stopped(
    app: Any, admin: Caller
) -> None:
    """500 colleagues behind one address all sign in at the start of a shift; then 200
    wrong passwords from it are answered 401 and the 201st is refused, the same for a
    username that exists and one that does not."""
    from server.auth import service

    people = [f"office.{n:03d}" for n in range(500)]
    for username in people:
        await service.create_user_unchecked(
            username=username, password=PASSWORD, role="collector", client_id=None
        )
    limit = get_settings().login_failures_per_address
    assert limit == 200
    async with client_from(app, "198.51.100.77") as office:
        signed_in = [(await _login(office, username)).status_code for username in people]
        assert signed_in == [200] * 500
        # Spread over many usernames, so no username's own limit is reached.
        sprayed = [
            (await _login(office, people[n % 500], "Winter2026!")).status_code for n in range(limit)
        ]
        assert sprayed == [401] * limit
        existing = await _login(office, people[0], "Winter2026!")
        unknown = await _login(office, "nobody.here", "Winter2026!")
        right = await _login(office, people[1])
    assert existing.status_code == unknown.status_code == right.status_code == 429
    assert existing.json() == unknown.json()
    # Another address is not held back by this one's failures.
    async with client_from(app, "198.51.100.78") as elsewhere:
        assert (await _login(elsewhere, people[2])).status_code == 200


async def test_an_access_token_stops_working_when_its_family_is_revoked(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    """Reusing a spent refresh token revokes its family: the access tokens the family
    issued are refused on their next request, not when they expire."""
    first = (await _login(http, admin.username or "")).json()
    rotated = (
        await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    for access in (first["access_token"], rotated["access_token"]):
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 200
    reused = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    for access in (first["access_token"], rotated["access_token"]):
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 401
    # Another session of the same user is untouched.
    assert (await admin.get("/api/v1/me")).status_code == 200


async def test_a_revoked_family_is_refused_from_the_database_while_redis_is_down(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    from server.kit.redis import close_redis, get_redis, open_redis

    first = (await _login(http, admin.username or "")).json()
    await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    url = get_settings().redis_url or ""
    await close_redis()
    open_redis("redis://127.0.0.1:1/0")
    try:
        stolen = {"Authorization": f"Bearer {first['access_token']}"}
        assert (await http.get("/api/v1/me", headers=stolen)).status_code == 401
        assert (await admin.get("/api/v1/me")).status_code == 200
    finally:
        await close_redis()
        open_redis(url)
        await get_redis().ping()


async def test_rate_limit_falls_back_to_the_process_when_redis_is_down() -> None:
    """With Redis unreachable the limit still holds (per process), neither open nor shut."""
    from server.auth import rate_limit
    from server.kit.redis import close_redis, get_redis, open_redis

    url = get_settings().redis_url or ""
    await close_redis()
    open_redis("redis://127.0.0.1:1/0")
    try:
        verdicts = [await rate_limit.begin("test:fallback", 3, 60) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        await rate_limit.succeeded("test:fallback", forget=True)
        assert (await rate_limit.begin("test:fallback", 3, 60)).allowed
    finally:
        await close_redis()
        open_redis(url)
        await get_redis().ping()


async def test_the_count_is_kept_in_redis_for_every_api_process(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    from server.kit.redis import get_redis

    await _login(http, admin.username or "", "wrong password!!")
    key = f"ratelimit:login:user:{(admin.username or '').lower()}"
    assert int(await get_redis().get(key)) == 1  # this failure; the fixture's success not
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
