"""A client answers a verification request in the portal, in Chromium, at desktop and
phone widths: the list with its due date, the request's page with the consumer's words,
a small PDF uploaded (streamed by the page's script), the answer sent; no serious or
critical axe-core violation on any of them. Screenshots go to
tests/e2e/artifacts/portal/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests import world as world_module
from tests.disputes.answering import PDF
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, sign_in

SHOTS = ARTIFACTS / "portal"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_client_answers_a_verification_request_with_a_document(
    page: Any, world: world_module.World, viewport: dict[str, int]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]

    async def looked_at(name: str) -> None:
        await assert_accessible(page, name)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        await page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)

    await page.set_viewport_size(viewport)
    await sign_in(page, world.a.user.username or "")
    await (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Verification").click()
    )
    await page.get_by_role("heading", name="Verification requests").wait_for()
    await looked_at("verification")
    number = world.a.account["client_account_number"]
    await page.get_by_role("link", name=number).click()
    await page.get_by_role("heading", name=f"Verify account {number}").wait_for()
    await page.get_by_text("The consumer says the balance is wrong").wait_for()
    await looked_at("verification-request")

    await page.get_by_label(re.compile(r"^File \(PDF")).set_input_files(
        {"name": "itemized-2026.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    await page.get_by_label("Kind of document").select_option("itemized_statement")
    await page.get_by_role("button", name="Upload the document").click()
    await page.get_by_text("The document is uploaded.").wait_for()
    await page.get_by_role("link", name="itemized-2026.pdf").wait_for()
    await looked_at("verification-uploaded")

    await page.get_by_label("Note to the agency (optional)").fill("Statement of March")
    await page.get_by_role("button", name="Send the answer: verified").click()
    await page.get_by_text("Thank you: the debt is verified.").wait_for()
    await looked_at("verification-answered")
    assert "Upload the document" not in await page.content()
