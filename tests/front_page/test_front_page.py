"""`/`: what this server is and where each user goes; a signed-in portal browser goes on."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.client_portal.conftest import Browser, NewBrowser, browser  # noqa: F401 - the fixture
from tests.fixtures import MakeClient, MakeUser

_HREFS = re.compile(r'href="([^"]+)"')
_SRCS = re.compile(r'src="([^"]+)"')


async def test_the_front_page_names_the_server_and_links_every_door(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert "collection agency" in html
    links = set(_HREFS.findall(html))
    assert {"/portal/", "/workspace/", "/schema"} <= links
    assert "Agency workspace" in html
    assert "Open the agency workspace" in html
    # Everything it links or loads is ours, and answers.
    ours = {url for url in links | set(_SRCS.findall(html)) if not url.startswith("#")}
    assert all(url.startswith("/") and not url.startswith("//") for url in ours)
    for url in ours:
        assert (await http.get(url)).status_code in (200, 303), url


async def test_a_browser_signed_in_to_the_portal_is_sent_to_it(
    browser: NewBrowser,  # noqa: F811
    make_client: MakeClient,
    make_user: MakeUser,
    owner_db: asyncpg.Connection,
) -> None:
    client = await make_client()
    user = await make_user("client", client_id=client["client_id"])
    signed_in: Browser = await browser()
    assert (await signed_in.sign_in(user.username or "")).status_code == 303
    front = await signed_in.get("/")
    assert front.status_code == 303
    assert front.headers["location"] == "/portal/"
    # A session that has ended is no reason to leave: the page is shown.
    await owner_db.execute("UPDATE portal_session SET created_at = now() - interval '13 hours'")
    assert (await signed_in.get("/")).status_code == 200
    stranger = await browser("203.0.113.77")
    assert (await stranger.get("/")).status_code == 200
