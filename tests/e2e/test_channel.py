"""The channel in Chromium at 1280 and 390 px: a client writes on an account in the
portal, the agency reads it in its inbox and answers on the account screen, the client
reads the answer; the placement's thread, the notice settings, an offer's reason, and the
admins' e-mail outbox. Every page: nothing wider than the screen, the navigation in
sight, no serious or critical axe-core violation, photographed into
tests/e2e/artifacts/channel."""

from __future__ import annotations

from typing import Any

import pytest

from tests import world as world_module
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, sign_in
from tests.e2e.test_workspace import fits, sign_in_by_keyboard

PICTURES = ARTIFACTS / "channel"
WIDTHS = [("1280", DESKTOP), ("390", PHONE)]


async def _check(page: Any, name: str, width: str) -> None:
    await page.get_by_role("heading", level=1).first.wait_for()
    await fits(page, name)
    hidden = await page.evaluate(
        "(n => n ? n.scrollWidth - n.clientWidth : 0)(document.querySelector('.mainnav ul'))"
    )
    assert hidden <= 0, f"{name}: {hidden}px of the navigation is off the screen"
    await assert_accessible(page, name)
    PICTURES.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(PICTURES / f"{name}-{width}.png"), full_page=True)


async def _offer_with_a_reason(side: world_module.Side) -> None:
    offers = await side.collector.get("/api/v1/offers", params={"client_id": side.client_id})
    pending = offers.json()["items"][0]
    await side.collector.post(f"/api/v1/offers/{pending['offer_id']}/withdraw", json={})
    made = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": int(side.account["balance_cents"]) // 2,
              "reason": "The consumer lost their job and can pay half now."},
    )  # fmt: skip
    assert made.status_code == 201, made.text


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
async def test_a_message_from_the_portal_to_the_workspace_and_back(
    page: Any, world: world_module.World, width: str, viewport: dict[str, int]
) -> None:
    side = world.a
    await _offer_with_a_reason(side)
    await page.set_viewport_size(viewport)
    await sign_in(page, side.user.username or "")
    account = f"/portal/accounts/{side.account['id']}"
    await page.goto(account)
    await page.get_by_label("Your message").fill("Why was this offer made at 50 %?")
    await page.get_by_role("button", name="Send message").click()
    await page.get_by_text("Your message is sent to the agency.").wait_for()
    await _check(page, "portal-account-messages", width)
    await page.goto(f"/portal/placements/{side.account['placement_id']}")
    await _check(page, "portal-placement-messages", width)
    await page.goto("/portal/approvals")
    await page.get_by_text("The consumer lost their job").wait_for()
    await _check(page, "portal-approvals-reason", width)
    await page.goto("/portal/settings")
    await page.get_by_label("Send them to").fill("ops@client-a.example")
    await page.get_by_label("A file you placed is loaded").uncheck()
    await page.get_by_role("button", name="Save settings").click()
    await page.get_by_text("Your notice settings are saved.").wait_for()
    await _check(page, "portal-settings", width)
    await page.get_by_role("button", name="Sign out").click()

    await sign_in_by_keyboard(page, world.admin.username or "")
    await page.wait_for_url("**/workspace/search")
    await page.goto("/workspace/messages?unread=1")
    thread = page.get_by_role("link", name=f"Account {side.account['client_account_number']}")
    await thread.wait_for()
    assert await page.locator(".mainnav .count").count() == 1
    await _check(page, "workspace-inbox", width)
    await thread.click()
    await page.get_by_label("To the client").fill(
        "The consumer offered it on a call; see the reason."
    )
    await page.get_by_role("button", name="Send to the client").click()
    await page.get_by_text("The message is sent").wait_for()
    await page.locator("#messages").scroll_into_view_if_needed()
    await _check(page, "workspace-account-messages", width)
    await page.goto(f"/workspace/placements/{side.account['placement_id']}/messages")
    await _check(page, "workspace-placement-messages", width)
    await page.goto("/workspace/admin/outbox")
    await page.get_by_text("The agency has sent you a message").first.wait_for()
    await _check(page, "workspace-outbox", width)
    await page.get_by_role("button", name="Sign out").press("Enter")
    await page.wait_for_url("**/workspace/sign-in")

    await sign_in(page, side.user.username or "")
    assert await page.locator(".mainnav .count").inner_text() == "1"
    await page.goto("/portal/messages")
    await _check(page, "portal-inbox", width)
    await page.goto(account)
    await page.get_by_text("The consumer offered it on a call").wait_for()
    assert await page.locator(".mainnav .count").count() == 0
