"""Portal tests: browsers signed in through the sign-in form, each with its own cookies."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.fixtures import PASSWORD

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

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(url, **kwargs)

    async def post_form(
        self, url: str, data: dict[str, Any], *, csrf: bool = True
    ) -> httpx.Response:
        fields = {"csrf_token": self.csrf, **data} if csrf else data
        return await self.http.post(url, data=fields)

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.http.get("/portal/sign-in")
        response = await self.http.post(
            "/portal/sign-in",
            data={"csrf_token": csrf_in(form.text), "username": username, "password": password,
                  "next": "/portal/dashboard"},
        )  # fmt: skip
        if response.status_code == 303:
            self.csrf = csrf_in((await self.http.get("/portal/dashboard")).text)
        return response


NewBrowser = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def browser(app: Any, clean_state: None) -> AsyncIterator[NewBrowser]:
    opened: list[httpx.AsyncClient] = []

    async def make(address: str = "203.0.113.20") -> Browser:
        transport = httpx.ASGITransport(app=app, client=(address, 41000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(client)
        return Browser(client)

    yield make
    for client in opened:
        await client.aclose()
