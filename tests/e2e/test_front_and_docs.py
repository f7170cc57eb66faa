"""The front page and the API docs in Chromium, with every request that is not to the
test server refused: both must work on a machine with no internet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, sign_in
from tests.fixtures import MakeClient, MakeUser


@pytest.fixture
async def offline(page: Any, live_server: str) -> list[str]:
    """Cut the network: only the test server answers; what else was asked for is listed."""
    refused: list[str] = []

    async def only_ours(route: Any) -> None:
        url = route.request.url
        if url == live_server or url.startswith(live_server + "/"):
            await route.continue_()
        else:
            refused.append(url)
            await route.abort("internetdisconnected")

    await page.context.route("**/*", only_ours)
    return refused


async def test_the_api_docs_render_their_operations_offline(page: Any, offline: list[str]) -> None:
    await page.goto("/schema")
    await page.locator(".opblock").first.wait_for()
    assert await page.locator(".opblock").count() >= 20
    login = page.locator(".opblock-post", has_text="/api/v1/auth/login")
    await login.first.wait_for()
    await page.get_by_role("button", name="Authorize").wait_for()
    # An operation opens with its parameters and responses.
    await login.first.locator(".opblock-summary").click()
    await page.locator(".responses-wrapper").first.wait_for()
    assert "ErrorBody" in await page.content()
    assert offline == [], f"the docs asked for outside files: {offline}"


async def test_the_front_page_leads_to_each_door_offline(
    page: Any, offline: list[str], make_client: MakeClient, make_user: MakeUser
) -> None:
    await page.goto("/")
    await page.get_by_role("heading", level=1).wait_for()
    doors = page.get_by_role("list", name="Where to go")
    for door in ("Client portal", "Agency workspace", "API docs"):
        await doors.get_by_role("heading", name=door).wait_for()
    await page.get_by_role("link", name="Open the agency workspace").click()
    await page.wait_for_url("**/workspace/sign-in")
    await page.go_back()
    await page.get_by_role("link", name="Read the API docs").click()
    await page.wait_for_url("**/schema")
    await page.locator(".opblock").first.wait_for()
    await page.go_back()
    await page.get_by_role("link", name="Open the client portal").click()
    await page.wait_for_url("**/portal/sign-in?next=/portal/dashboard")
    # Signed in, the front page is a way back to the portal.
    client = await make_client()
    user = await make_user("client", client_id=client["client_id"])
    await sign_in(page, user.username or "")
    await page.goto("/")
    await page.wait_for_url("**/portal/dashboard")
    assert offline == [], f"the pages asked for outside files: {offline}"


async def test_the_front_page_fits_a_phone(page: Any, offline: list[str]) -> None:
    await page.set_viewport_size(PHONE)
    await page.goto("/")
    await page.get_by_role("link", name="Open the client portal").wait_for()
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the front page is {overflow}px wider than a phone"
