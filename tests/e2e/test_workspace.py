"""A collector's shift in the workspace, in Chromium and by keyboard only: sign in, next
account, the verdict and cues above the fold, a call with its finding, the shortcuts, a
release; every page photographed at 1280 and 390 px, none wider than its screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, autofocused
from tests.fixtures import PASSWORD, MakeUser
from tests.workspace.conftest import Floor, floor

__all__ = ["floor"]

# `python -m pytest tests/e2e/test_workspace.py` leaves a picture of every page here.
PICTURES = ARTIFACTS / "workspace"


async def sign_in_by_keyboard(page: Any, username: str) -> None:
    await page.goto("/workspace/")
    await page.wait_for_url("**/workspace/sign-in")
    await autofocused(page, "username")
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")


async def fits(page: Any, what: str) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"


async def photograph(page: Any, name: str, width: str) -> None:
    PICTURES.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(PICTURES / f"{name}-{width}.png"), full_page=True)


async def test_a_collectors_shift_by_keyboard(page: Any, floor: Floor) -> None:
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await page.get_by_role("heading", name="My queue").wait_for()
    await page.keyboard.press("n")
    await page.wait_for_url(f"**/workspace/accounts/{floor.account['id']}")
    # At 1280×800 the verdict and the cues are in sight without scrolling.
    verdict = page.locator(".verdict")
    assert "Callable now" in await verdict.inner_text()
    box = await verdict.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= DESKTOP["height"], box
    assert "Validation notice not yet mailed" in await page.locator(".cues").inner_text()
    # `c` takes the focus to the call form's outcome; the rest of the form by Tab.
    await page.keyboard.press("c")
    assert await page.evaluate("document.activeElement.id") == "call-outcome"
    await page.locator("#call-outcome").select_option("right_party_contact")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("4")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Agreed to call back with a plan")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Record the call"
    # The focus ring shows where the keyboard is.
    ring = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring != "none"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**?call=*")
    result = page.locator("#call-result")
    assert "Call recorded" in await result.inner_text()
    # The conversation stops further calls for 7 days, and the screen says so at once.
    assert "Not callable now" in await page.locator(".verdict").inner_text()
    assert "Agreed to call back with a plan" in await page.locator("#calls ~ ul").inner_text()
    # Focus starts on the result, outside any field: the shortcuts work straight away.
    await page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await dialog.wait_for()
    for key in ("n", "c", "o", "p", "r", "/", "?"):
        assert await dialog.locator("kbd", has_text=key).count() >= 1
    await page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")
    await page.keyboard.press("/")
    assert await page.evaluate("document.activeElement.id") == "quick-search"
    await page.keyboard.press("Escape")
    await page.keyboard.press("r")
    await page.wait_for_url("**/workspace/queue?done=*")


async def test_every_control_is_reachable_by_tab_with_a_ring(page: Any, floor: Floor) -> None:
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await page.goto(f"/workspace/accounts/{floor.account['id']}")
    await every_control_by_tab(page)


async def every_control_by_tab(page: Any) -> None:
    """Tab from the top to the end of the page: every visible control gets the focus, and
    each shows a ring."""
    # Each control is numbered, so that two with the same text are told apart.
    controls = await page.evaluate(
        "Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]),"
        " select, textarea, summary')).filter(e => e.checkVisibility()"
        " && !e.closest('dialog')).map((e, i) => { e.dataset.probe = i; return i; }).length"
    )
    reached: set[int] = set()
    # A date field takes a Tab per part (month, day, year), a time field two.
    for _ in range(controls * 3 + 2):
        await page.keyboard.press("Tab")
        found = await page.evaluate(
            "(e => [e.tagName + '#' + (e.id || e.textContent.trim().slice(0, 30) || e.name),"
            " getComputedStyle(e).outlineStyle, e.dataset.probe])(document.activeElement)"
        )
        if found[0].startswith("BODY"):
            if reached:
                break  # past the last control, the focus leaves the page
            continue
        assert found[1] != "none", f"{found[0]} shows no focus ring"
        if found[2] is not None:
            reached.add(int(found[2]))
    missing = sorted(set(range(controls)) - reached)
    names = await page.evaluate(
        "m => m.map(i => document.querySelector(`[data-probe='${i}']`).outerHTML.slice(0, 80))",
        missing,
    )
    assert not missing, names


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
async def test_every_page_fits_and_is_photographed(
    page: Any, floor: Floor, make_user: MakeUser, width: str, viewport: dict[str, int]
) -> None:
    await page.set_viewport_size(viewport)
    await page.goto("/workspace/sign-in")
    await fits(page, "the sign-in page")
    await assert_accessible(page, "the sign-in page")
    await photograph(page, "sign-in", width)
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    number = floor.account["client_account_number"]
    pages = {
        "queue": "/workspace/queue",
        "account": f"/workspace/accounts/{floor.account['id']}",
        "search": f"/workspace/search?q={number}",
        "not-found": "/workspace/accounts/00000000-0000-4000-8000-000000000000",
    }
    for name, url in pages.items():
        await page.goto(url)
        await page.get_by_role("heading", level=1).wait_for()
        await fits(page, name)
        await assert_accessible(page, name)
        await photograph(page, name, width)
    # After a call, with its finding on the screen.
    await page.goto(pages["account"])
    await page.locator("#call-outcome").select_option("right_party_contact")
    await page.get_by_role("button", name="Record the call").press("Enter")
    await page.wait_for_url("**?call=*")
    await fits(page, "the account after a call")
    await assert_accessible(page, "the account after a call")
    await photograph(page, "account-after-call", width)
    await page.get_by_role("button", name="Keys").press("Enter")
    await page.get_by_role("dialog").wait_for()
    await photograph(page, "shortcuts", width)


async def test_a_supervisor_lands_on_approvals_and_a_client_is_refused(
    page: Any, floor: Floor, make_user: MakeUser
) -> None:
    await sign_in_by_keyboard(page, floor.supervisor.username or "")
    await page.wait_for_url("**/workspace/approvals")
    assert await page.get_by_role("link", name="My queue").count() == 0
    await page.get_by_role("button", name="Sign out").press("Enter")
    await page.wait_for_url("**/workspace/sign-in")
    client_user = await make_user("client", client_id=floor.client_id)
    await sign_in_by_keyboard(page, client_user.username or "")
    await page.get_by_role("alert").wait_for()
    assert "for the agency's staff" in await page.get_by_role("alert").inner_text()


def test_pictures_are_kept_where_the_readme_says() -> None:
    assert Path(PICTURES).parts[-2:] == ("artifacts", "workspace")
