"""A collector's shift past the call, in Chromium and by keyboard only: next, a call,
an offer beyond the band (its band shown before, its reasons after), a supervisor who
approves it in another browser, a payment towards it. No pointer event on the way; the
pages touched photographed at 1280 and 390 px, none wider than its screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from tests.dispatch.test_work_queue import everyone_in, zone_at
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE, watch
from tests.e2e.test_workspace import every_control_by_tab, fits, photograph, sign_in_by_keyboard
from tests.workspace.conftest import Floor, floor

__all__ = ["floor"]

# Counted across the tab's pages: a keyboard-only shift makes none.
_COUNT_POINTERS = (
    "addEventListener('pointerdown', () => {"
    " sessionStorage.pointers = String(Number(sessionStorage.pointers || 0) + 1); }, true);"
)


async def _tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Tab until the control with this id or text has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        here = await page.evaluate("(e => [e.id, e.textContent.trim()])(document.activeElement)")
        if name in here:
            return
    raise AssertionError(f"no control {name!r} by Tab")


async def _pointers(page: Any) -> int:
    return int(await page.evaluate("Number(sessionStorage.pointers || 0)"))


@asynccontextmanager
async def _another_browser(chromium: Any, base_url: str) -> AsyncIterator[Any]:
    """A second browser (its own cookies), watched for script errors like the first."""
    context = await chromium.new_context(viewport=DESKTOP, base_url=base_url)
    context.set_default_timeout(15_000)
    tab = await context.new_page()
    problems = watch(tab)
    try:
        yield tab
    finally:
        await context.close()
    assert not problems, "\n".join(problems)


async def test_a_shift_to_an_approved_offer_and_its_payment_by_keyboard(
    page: Any, floor: Floor, chromium: Any, live_server: str
) -> None:
    await page.context.add_init_script(_COUNT_POINTERS)
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await page.keyboard.press("n")
    await page.wait_for_url(f"**/workspace/accounts/{floor.account['id']}")
    # The call: `c` to its outcome, a right-party contact by typing its name.
    await page.keyboard.press("c")
    assert await page.evaluate("document.activeElement.id") == "call-outcome"
    await page.keyboard.type("Right party")
    assert await page.locator("#call-outcome").input_value() == "right_party_contact"
    await _tab_to(page, "call-notes")
    await page.keyboard.type("Can pay 700 now, with his sister's help")
    await _tab_to(page, "Record the call")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**?call=*")
    assert "Call recorded" in await page.locator("#call-result").inner_text()

    # The offer: `o`, the band in dollars in sight before it is sent.
    await page.keyboard.press("o")
    assert await page.evaluate("document.activeElement.id") == "offer-kind"
    band = await page.locator("#offer-band").inner_text()
    assert "at least $800.00 (80 % of $1,000.00)" in band
    await _tab_to(page, "offer-amount")
    await page.keyboard.type("700")
    # Before it is sent, where its amount places it.
    preview = await page.locator("#offer-preview").inner_text()
    assert preview == "$700.00 is 70 % of the balance, below your $800.00: a supervisor decides."
    await _tab_to(page, "offer-reason")
    await page.keyboard.type("Lost his job; the sum is borrowed")
    await _tab_to(page, "Send the offer")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**?offer=*")
    result = await page.locator("#offer-result").inner_text()
    assert "Offer sent to a supervisor" in result
    assert "settles 70 %" in result
    assert await page.evaluate("document.activeElement.id") == "offer-result"

    # A supervisor, in a browser of their own, approves it with a reason.
    async with _another_browser(chromium, live_server) as supervisor:
        await supervisor.context.add_init_script(_COUNT_POINTERS)
        await sign_in_by_keyboard(supervisor, floor.supervisor.username or "")
        await supervisor.wait_for_url("**/workspace/approvals")
        card = await supervisor.locator(".offer-card").inner_text()
        assert floor.account["client_account_number"] in card
        assert "Lost his job; the sum is borrowed" in card
        assert "settles 70 %" in card
        await _tab_to(supervisor, "Accept")
        await supervisor.keyboard.press("Enter")
        await supervisor.locator(".field-error").wait_for()
        assert "Reason: say why" in await supervisor.locator(".field-error").inner_text()
        # The refused form puts the focus on its wrong field.
        await supervisor.keyboard.type("Hardship verified on the call recording")
        await _tab_to(supervisor, "Accept")
        await supervisor.keyboard.press("Enter")
        await supervisor.wait_for_url("**/workspace/approvals?done=accept")
        assert "The offer is accepted." in await supervisor.locator("#notice").inner_text()
        assert await _pointers(supervisor) == 0

    # The payment: `p`, towards the accepted offer (chosen for it already).
    await page.reload()
    assert "Accepted" in await page.locator("#offers ~ ul").inner_text()
    await page.keyboard.press("Escape")
    await page.keyboard.press("p")
    assert await page.evaluate("document.activeElement.id") == "payment-amount"
    await page.keyboard.type("700")
    await _tab_to(page, "payment-method")
    await page.keyboard.type("Card")
    assert await page.locator("#payment-method").input_value() == "card"
    assert await page.locator("#payment-offer-id").input_value() != ""
    await _tab_to(page, "Record the payment")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**?payment=*")
    paid = await page.locator("#payment-result").inner_text()
    assert "Payment recorded" in paid
    assert "$700.00 by card" in paid
    assert await _pointers(page) == 0


async def _offer_refused_and_sent(page: Any, floor: Floor) -> None:
    """The account screen with a refused offer form, then with an offer sent."""
    await page.goto(f"/workspace/accounts/{floor.account['id']}")
    await page.locator("#offer-kind").focus()
    await page.keyboard.type("Plan")
    await _tab_to(page, "Send the offer")
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", level=1).wait_for()
    assert await page.locator(".field-error").count() >= 2


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
async def test_the_forms_and_the_supervisors_pages_fit_and_are_photographed(
    page: Any, floor: Floor, width: str, viewport: dict[str, int], owner_db: asyncpg.Connection
) -> None:
    await page.set_viewport_size(viewport)
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await _offer_refused_and_sent(page, floor)
    await fits(page, "the account with a refused offer")
    await assert_accessible(page, "the account with a refused offer")
    await photograph(page, "account-offer-refused", width)
    await page.locator("#offer-kind").focus()
    await page.keyboard.type("Lump")
    await page.locator("#offer-amount").fill("700")
    await page.locator("#offer-reason").fill("Can borrow the sum from family")
    await page.locator("#offer-reason").press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**?offer=*")
    await fits(page, "the account after an offer")
    await assert_accessible(page, "the account after an offer")
    await photograph(page, "account-after-offer", width)
    await page.locator("#payment-amount").fill("25")
    await page.locator("#payment-method").select_option("check")
    await page.get_by_role("button", name="Record the payment").press("Enter")
    await page.wait_for_url("**?payment=*")
    await fits(page, "the account after a payment")
    await assert_accessible(page, "the account after a payment")
    await photograph(page, "account-after-payment", width)
    # A call at 3 a.m. where the consumer is: a finding for the supervisor's page.
    await everyone_in(owner_db, zone_at(3))
    await page.reload()
    await page.locator("#call-outcome").select_option("no_answer")
    await page.get_by_role("button", name="Record the call").press("Enter")
    await page.wait_for_url("**?call=*")
    await fits(page, "the account after a call with a finding")
    await assert_accessible(page, "the account after a call with a finding")
    await photograph(page, "account-call-finding", width)
    await page.get_by_role("button", name="Sign out").press("Enter")
    await page.wait_for_url("**/workspace/sign-in")

    await sign_in_by_keyboard(page, floor.supervisor.username or "")
    await page.wait_for_url("**/workspace/approvals")
    await page.locator(".offer-card").wait_for()
    await fits(page, "the offers to decide")
    await assert_accessible(page, "the offers to decide")
    await photograph(page, "approvals", width)
    for name in ("findings", "collectors"):
        await page.goto(f"/workspace/{name}")
        await page.get_by_role("heading", level=1).wait_for()
        await fits(page, f"the {name} page")
        await assert_accessible(page, f"the {name} page")
        await photograph(page, name, width)


async def test_every_control_of_the_offers_to_decide_is_reachable_by_tab(
    page: Any, floor: Floor
) -> None:
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await page.goto(f"/workspace/accounts/{floor.account['id']}")
    await page.locator("#offer-amount").fill("700")
    await page.get_by_role("button", name="Send the offer").press("Enter")
    await page.wait_for_url("**?offer=*")
    await page.get_by_role("button", name="Sign out").press("Enter")
    await sign_in_by_keyboard(page, floor.supervisor.username or "")
    await page.wait_for_url("**/workspace/approvals")
    await every_control_by_tab(page)
