"""The portal in a real browser: Debian's headless Chromium driven by Playwright, against
a live `agency api` and `agency worker` on the test database.

Without /usr/bin/chromium these tests skip, saying so, unless AGENCY_REQUIRE_BROWSER=1
(CI sets it), when they fail. A failing test leaves a screenshot in tests/e2e/artifacts.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import servers
from tests import world as world_module
from tests.fixtures import PASSWORD, Caller, MakeAccount, MakeClient, MakeUser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"no browser at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("AGENCY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"AGENCY_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def live_server(services: Any) -> Iterator[str]:
    """The API (and portal) and a worker, so that an upload is loaded as in production."""
    _require_browser()
    with servers.live_api("worker") as base:
        yield base


@pytest.fixture(scope="module")
async def chromium(live_server: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        await browser.close()


def watch(tab: Any) -> list[str]:
    """The tab's problems as they happen: script errors and refusals by the
    Content-Security-Policy. A 4xx answer the test asked for is logged as a failed load:
    not a problem of the page."""
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    return problems


@pytest.fixture
async def page(
    chromium: Any, live_server: str, clean_state: None, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    context = await chromium.new_context(
        viewport=DESKTOP, base_url=live_server, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    tab = await context.new_page()
    problems = watch(tab)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        await tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    await context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
async def world(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
) -> world_module.World:
    """The isolation matrix's world: two clients, each with an account, a call, payments,
    an offer and a statement."""
    return await world_module.build_world(http, admin, make_user, make_client, make_account)


async def autofocused(page: Any, element_id: str) -> None:
    """Waits until the page's autofocus lands on `element_id`: the browser moves the focus
    at its next rendering step, which on a loaded machine comes after the load event; the
    wait fails (after 5 s) if the focus never gets there."""
    await page.wait_for_function(
        "id => document.activeElement !== null && document.activeElement.id === id",
        arg=element_id,
        timeout=5_000,
    )


async def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    await page.goto("/portal/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/portal/dashboard")
