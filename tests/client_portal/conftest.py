"""Portal tests: browsers signed in through the sign-in form, each with its own cookies."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests import world as world_module
from tests.fixtures import PASSWORD, Caller, MakeAccount, MakeClient, MakeUser

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Browser:
    """An HTTP client with a cookie jar, like a browser's, and the session's CSRF token."""

    http: httpx.AsyncClient
    csrf: str = ""
    # Whose pages: the portal's, or the workspace's (`/workspace`).
    door: str = "/portal"

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(url, **kwargs)

    async def post_form(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        fields = {"csrf_token": self.csrf, **(data or {})} if csrf else (data or {})
        return await self.http.post(url, data=fields)

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.http.get(f"{self.door}/sign-in")
        response = await self.http.post(
            f"{self.door}/sign-in",
            data={"csrf_token": csrf_in(form.text), "username": username, "password": password,
                  "next": ""},
        )  # fmt: skip
        if response.status_code == 303:
            # Signed in, the door's first page (its dashboard, a collector's queue).
            self.csrf = csrf_in((await self.http.get(response.headers["location"])).text)
        return response


NewBrowser = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def browser(app: Any, clean_state: None) -> AsyncIterator[NewBrowser]:
    opened: list[httpx.AsyncClient] = []

    async def make(address: str = "203.0.113.20", door: str = "/portal") -> Browser:
        transport = httpx.ASGITransport(app=app, client=(address, 41000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(client)
        return Browser(client, door=door)

    yield make
    for client in opened:
        await client.aclose()


@dataclass
class PortalWorld:
    """The isolation matrix's world (two clients, each with an account, a call, payments,
    an offer and a statement), with client A's offer waiting for the client and both
    clients' users signed in to the portal."""

    world: world_module.World
    a: Browser
    b: Browser
    a_offer: str
    b_offer: str


async def client_offer(admin: Caller, side: world_module.Side) -> str:
    """The world's offer waits for a supervisor; this one, below the supervisor's band,
    waits for the client."""
    offers = await admin.get("/api/v1/offers", params={"client_id": side.client_id})
    pending = offers.json()["items"][0]
    withdrawn = await admin.post(f"/api/v1/offers/{pending['offer_id']}/withdraw", json={})
    assert withdrawn.status_code == 200, withdrawn.text
    balance = int(side.account["balance_cents"])
    made = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": balance * 50 // 100},
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending_client", made.text
    return str(made.json()["offer_id"])


@pytest.fixture
async def portal_world(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    browser: NewBrowser,
) -> PortalWorld:
    world = await world_module.build_world(http, admin, make_user, make_client, make_account)
    a_offer = await client_offer(admin, world.a)
    b_offer = await client_offer(admin, world.b)
    a, b = await browser(), await browser("203.0.113.21")
    assert (await a.sign_in(world.a.user.username or "")).status_code == 303
    assert (await b.sign_in(world.b.user.username or "")).status_code == 303
    return PortalWorld(world, a, b, a_offer, b_offer)
