"""CSRF, session timeout, sign-in rate limit, sign-out and the session cookie."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from server.kit.settings import get_settings
from tests import world as world_module
from tests.client_portal.conftest import Browser, NewBrowser, PortalWorld, csrf_in

FETCH = {"X-Requested-With": "portal"}


def _forms(world: PortalWorld) -> dict[str, dict[str, str]]:
    """Every form of the portal, filled in as it would be, on client A's own things."""
    account = world.world.a.account
    return {
        "/portal/sign-out": {},
        f"/portal/accounts/{account['id']}/recall": {"reason": "sold"},
        "/portal/accounts/recall": {"account_id": account["id"], "reason": "sold"},
        f"/portal/approvals/{world.a_offer}": {"decision": "accept", "reason": "fine"},
    }


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_every_form_refuses_a_missing_or_wrong_token_and_changes_nothing(
    portal_world: PortalWorld, owner_db: asyncpg.Connection, token: str | None
) -> None:
    a = portal_world.a
    before = await world_module.fingerprint(owner_db, portal_world.world.a.client_id)
    for url, fields in _forms(portal_world).items():
        data = fields if token is None else {**fields, "csrf_token": token}
        response = await a.post_form(url, data, csrf=False)
        assert response.status_code == 403, (url, response.status_code)
        assert "text/html" in response.headers["content-type"]
        assert "security token" in response.text
    upload = await a.http.post(
        "/portal/placements/upload", content=b"x", params={"file_name": "a.csv"},
        headers={"Content-Type": "text/csv", **FETCH,
                 **({} if token is None else {"X-CSRF-Token": token})},
    )  # fmt: skip
    assert upload.status_code == 403
    assert upload.json()["error"]["code"] == "csrf_refused"
    assert await world_module.fingerprint(owner_db, portal_world.world.a.client_id) == before
    # Still signed in: the refused sign-out did not sign out.
    assert (await a.get("/portal/dashboard")).status_code == 200


async def test_another_sessions_token_is_refused(portal_world: PortalWorld) -> None:
    a, b = portal_world.a, portal_world.b
    url = f"/portal/approvals/{portal_world.a_offer}"
    response = await a.post_form(url, {"csrf_token": b.csrf, "decision": "accept"}, csrf=False)
    assert response.status_code == 403


async def test_sign_in_form_needs_its_own_token(
    portal_world: PortalWorld, browser: NewBrowser, owner_db: asyncpg.Connection
) -> None:
    fresh = await browser("198.51.100.7")
    sessions = await owner_db.fetchval("SELECT count(*) FROM portal_session")
    response = await fresh.http.post(
        "/portal/sign-in",
        data={"username": portal_world.world.a.user.username, "password": "x", "csrf_token": "t"},
    )
    assert response.status_code == 403
    assert await owner_db.fetchval("SELECT count(*) FROM portal_session") == sessions


async def test_the_session_cookie_is_http_only_same_site_and_scoped(
    portal_world: PortalWorld, browser: NewBrowser
) -> None:
    fresh = await browser("198.51.100.8")
    form = await fresh.http.get("/portal/sign-in")
    response = await fresh.http.post(
        "/portal/sign-in",
        data={"csrf_token": csrf_in(form.text), "username": portal_world.world.a.user.username,
              "password": "correct horse battery staple", "next": "//evil.example/x"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/dashboard"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("portal_session=")
    )
    flags = cookie.lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    # Read by the portal and by the front page (which sends a signed-in browser on).
    assert "path=/;" in flags
    # Tests run as AGENCY_ENV=test over plain HTTP; production marks it Secure.
    assert ("secure" in flags) == get_settings().secure_cookies


async def test_an_idle_session_times_out_to_the_sign_in_page(
    portal_world: PortalWorld, owner_db: asyncpg.Connection
) -> None:
    ttl = get_settings().portal_session_ttl_s
    await owner_db.execute(
        "UPDATE portal_session SET last_seen_at = now() - make_interval(secs => $1)", ttl + 5
    )
    page = await portal_world.a.get("/portal/accounts?status=active")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/portal/sign-in?next=/portal/accounts")
    assert "expired=1" in page.headers["location"]
    assert "timed out" in (await portal_world.a.get(page.headers["location"])).text
    # The page's scripts get a 401 to act on rather than a redirect.
    poll = await portal_world.b.get("/portal/dashboard", headers=FETCH)
    assert poll.status_code == 401
    assert poll.json()["error"]["code"] == "sign_in_required"
    # An expired session's forms do nothing either.
    recall = await portal_world.a.post_form(
        f"/portal/accounts/{portal_world.world.a.account['id']}/recall", {"reason": "late"}
    )
    assert recall.status_code == 303
    status = await owner_db.fetchval(
        "SELECT status FROM account WHERE id = $1", UUID(portal_world.world.a.account["id"])
    )
    assert status == "active"


async def test_a_session_ends_at_its_lifetime_however_active(
    portal_world: PortalWorld, owner_db: asyncpg.Connection
) -> None:
    await owner_db.execute("UPDATE portal_session SET created_at = now() - interval '13 hours'")
    assert (await portal_world.a.get("/portal/dashboard")).status_code == 303


async def test_sign_out_ends_the_session_on_the_server(
    portal_world: PortalWorld, owner_db: asyncpg.Connection
) -> None:
    a = portal_world.a
    cookie = a.http.cookies.get("portal_session", path="/")
    assert cookie
    out = await a.post_form("/portal/sign-out", {})
    assert out.status_code == 303
    assert out.headers["location"] == "/portal/sign-in"
    # The old cookie, replayed, is worth nothing.
    a.http.cookies.set("portal_session", cookie, path="/")
    assert (await a.get("/portal/dashboard")).status_code == 303


async def test_sign_in_is_rate_limited(portal_world: PortalWorld, browser: NewBrowser) -> None:
    guesser = await browser("198.51.100.9")
    username = portal_world.world.a.user.username or ""
    limit = get_settings().login_failures_per_username
    # Failed sign-ins count, the API's and the portal's alike.
    statuses = [(await guesser.sign_in(username, "wrong")).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429
    refused = await guesser.sign_in(username)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many sign-in attempts" in refused.text


async def test_the_sign_in_page_sends_a_signed_in_browser_on(portal_world: PortalWorld) -> None:
    again = await portal_world.b.get("/portal/sign-in?next=/portal/statements")
    assert again.status_code == 303
    assert again.headers["location"] == "/portal/statements"


async def test_staff_cannot_use_the_portal(portal_world: PortalWorld, browser: NewBrowser) -> None:
    staff = await browser("198.51.100.10")
    response = await staff.sign_in(portal_world.world.admin.username or "")
    assert response.status_code == 403
    assert "for client businesses" in response.text


async def test_pages_need_a_session(browser: NewBrowser) -> None:
    anonymous: Browser = await browser("198.51.100.11")
    response = await anonymous.get("/portal/statements")
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/sign-in?next=/portal/statements"
    home = await anonymous.get("/portal/")
    assert home.status_code == 303
    assert home.headers["location"] == "/portal/dashboard"
