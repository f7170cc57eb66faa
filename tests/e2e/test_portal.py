"""What a client does in the portal, in Chromium: sign in, upload a file with a bad row
and read its error, accept an offer, download a statement, try another client's page,
and every page at phone width."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests import world as world_module
from tests.client_portal.conftest import client_offer
from tests.client_portal.test_pages import with_a_bad_row
from tests.e2e.conftest import DESKTOP, PHONE, autofocused, sign_in
from tests.fixtures import Caller
from tests.placements.test_failed_loads import REFUSED, fail_twice, merge_refusing_a_name
from tests.placements.test_ingest import csv_bytes, good_row


async def open_section(page: Any, name: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


async def test_sign_in_by_keyboard_and_sign_out(page: Any, world: world_module.World) -> None:
    await page.goto("/portal/dashboard")
    await page.wait_for_url("**/portal/sign-in?next=/portal/dashboard")
    await autofocused(page, "username")
    await page.keyboard.type(world.a.user.username or "")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "password"
    await page.keyboard.type("correct horse battery staple")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/portal/dashboard")
    await page.get_by_role("heading", name="Liquidation by placement month").wait_for()
    assert world.a.client["name"] in await page.content()
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/portal/sign-in")
    await page.goto("/portal/dashboard")
    await page.wait_for_url(re.compile(r".*/portal/sign-in\?next=.*"))


async def test_upload_a_file_with_a_bad_row_and_read_its_error(
    page: Any, world: world_module.World, tmp_path: Path
) -> None:
    await sign_in(page, world.a.user.username or "")
    await open_section(page, "Placements")
    await page.get_by_label("CSV file").set_input_files(
        {"name": "march.csv", "mimeType": "text/csv", "buffer": with_a_bad_row(6, line=3)}
    )
    await page.get_by_label("Kind of file").select_option("new_business")
    await page.get_by_role("button", name="Upload").click()
    await page.wait_for_url(re.compile(r".*/portal/placements/[0-9a-f-]{36}$"))
    # The worker loads the file; the page follows its progress and shows the errors.
    errors = page.locator("#row-errors")
    await errors.wait_for(timeout=60_000)
    assert "is not an amount in dollars, such as 1,234.56" in await errors.inner_text()
    assert "3" in await errors.locator("td").first.inner_text()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Row errors (CSV)").click()
    saved = tmp_path / "errors.csv"
    await (await download_info.value).save_as(saved)
    assert "is not an amount in dollars, such as 1,234.56" in saved.read_text()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Acknowledgement (CSV)").click()
    await (await download_info.value).save_as(tmp_path / "ack.csv")
    acknowledged = (tmp_path / "ack.csv").read_text().strip().splitlines()
    # The header, the five accounts placed, and their total.
    assert len(acknowledged) == 1 + 5 + 1
    assert acknowledged[-1].startswith("total,5 accounts,")


async def test_a_header_that_does_not_match_is_explained_on_the_page(
    page: Any, world: world_module.World
) -> None:
    await sign_in(page, world.a.user.username or "")
    await page.goto("/portal/placements")
    await page.get_by_label("CSV file").set_input_files(
        {"name": "wrong.csv", "mimeType": "text/csv", "buffer": b"acct,name\r\n1,x\r\n"}
    )
    await page.get_by_role("button", name="Upload").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    said = await alert.inner_text()
    assert "This file's columns are not those of your new-business layout" in said
    assert "missing from the header" not in said


async def test_accept_an_offer(
    page: Any, world: world_module.World, admin: Caller, owner_db: asyncpg.Connection
) -> None:
    offer_id = await client_offer(admin, world.a)
    await sign_in(page, world.a.user.username or "")
    await open_section(page, "Approvals")
    card = page.locator(f"#offer-{offer_id}")
    await card.get_by_label("Reason").fill("A fair settlement")
    await card.get_by_role("button", name="Accept offer").click()
    await page.get_by_text("The offer is accepted.").wait_for()
    status = await owner_db.fetchval("SELECT status FROM offer WHERE id = $1", UUID(offer_id))
    assert status == "accepted"


async def test_download_a_statement(page: Any, world: world_module.World, tmp_path: Path) -> None:
    await sign_in(page, world.a.user.username or "")
    await open_section(page, "Statements")
    await page.locator("table a").first.click()
    await page.get_by_role("heading", name=re.compile("Statement for")).wait_for()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download PDF").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".pdf")
    await download.save_as(tmp_path / "statement.pdf")
    assert (tmp_path / "statement.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_statement_shows_its_payout_and_advice(
    page: Any, world: world_module.World, tmp_path: Path, viewport: dict[str, int]
) -> None:
    await page.set_viewport_size(viewport)
    await sign_in(page, world.a.user.username or "")
    await open_section(page, "Statements")
    await page.get_by_text("WORLD-1").first.wait_for()
    await page.locator("table a").first.click()
    await page.get_by_role("heading", name=re.compile(r"Statement for \w+ \d")).wait_for()
    await page.get_by_text("reference WORLD-1").wait_for()
    for header in ("Received", "Cleared"):
        assert await page.get_by_role("columnheader", name=header).count() == 1
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        name = f"statement-{viewport['width']}.png"
        await page.screenshot(path=str(Path(shots) / name), full_page=True)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Remittance advice (PDF)").click()
    download = await download_info.value
    await download.save_as(tmp_path / "advice.pdf")
    assert (tmp_path / "advice.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_recalling_asks_with_the_count_and_balance_and_a_404_keeps_the_menu(
    page: Any, world: world_module.World, owner_db: asyncpg.Connection, viewport: dict[str, int]
) -> None:
    await page.set_viewport_size(viewport)
    await sign_in(page, world.a.user.username or "")
    shots = os.environ.get("SCREENSHOTS_DIR")

    async def shot(name: str) -> None:
        if shots:
            path = Path(shots) / f"{name}-{viewport['width']}.png"
            await page.screenshot(path=str(path), full_page=True)

    await shot("dashboard")
    await open_section(page, "Accounts")
    await shot("accounts")
    await page.get_by_label(f"Select account {world.a.account['client_account_number']}").check()
    await page.get_by_label("Reason for recalling the selected accounts").fill("sold the debt")
    await page.get_by_role("button", name="Recall selected").click()
    await page.get_by_role("heading", name="Recall 1 account?").wait_for()
    await shot("recall-confirm")
    status = "SELECT status FROM account WHERE id = $1"
    assert await owner_db.fetchval(status, UUID(world.a.account["id"])) == "active"
    await page.get_by_role("button", name=re.compile(r"Recall 1 account \(\$")).click()
    await page.get_by_text("Recalled 1 account.").wait_for()
    assert await owner_db.fetchval(status, UUID(world.a.account["id"])) == "recalled"

    response = await page.goto("/portal/no-such-page")
    assert response.status == 404
    await page.get_by_role("heading", name="Not found").wait_for()
    await (
        page.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Statements")
        .wait_for()
    )
    await shot("not-found")
    await open_section(page, "Statements")
    await shot("statements")


async def test_another_clients_page_is_not_found(
    page: Any, world: world_module.World, owner_db: asyncpg.Connection
) -> None:
    await sign_in(page, world.a.user.username or "")
    secrets = await world_module.secrets_of(owner_db, world.b)
    statement = await world_module.id_of(owner_db, "statement_id", world.b.client_id)
    for url in [f"/portal/accounts/{world.b.account['id']}", f"/portal/statements/{statement}"]:
        response = await page.goto(url)
        assert response.status == 404, url
        await page.get_by_role("heading", name="Not found").wait_for()
        body = await page.content()
        assert not [s for s in secrets if s in body], url


async def test_every_page_fits_a_phone(page: Any, world: world_module.World, admin: Caller) -> None:
    await client_offer(admin, world.a)
    await page.set_viewport_size(PHONE)
    await sign_in(page, world.a.user.username or "")
    statement = (await world.a.user.get("/api/v1/statements")).json()["items"][0]
    pages = [
        "/portal/dashboard", "/portal/placements",
        f"/portal/placements/{world.a.account['placement_id']}", "/portal/accounts",
        f"/portal/accounts/{world.a.account['id']}", "/portal/disputes", "/portal/approvals",
        "/portal/statements",
        f"/portal/statements/{statement['statement_id']}",
    ]  # fmt: skip
    for url in pages:
        response = await page.goto(url)
        assert response.status == 200, url
        await page.get_by_role("heading", level=1).wait_for()
        # Nothing wider than the screen: tables stack or scroll inside their card.
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} is {overflow}px wider than a phone"
        # Every section of the navigation in sight, none scrolled off.
        hidden = await page.evaluate(
            "(n => n.scrollWidth - n.clientWidth)(document.querySelector('.mainnav ul'))"
        )
        assert hidden <= 0, f"{url}: {hidden}px of the navigation is off the screen"


async def test_a_placement_that_failed_to_load_says_why(
    page: Any, world: world_module.World, owner_db: asyncpg.Connection
) -> None:
    body = csv_bytes([good_row(1), good_row(2, last_name=REFUSED)])
    async with merge_refusing_a_name(owner_db):
        response = await world.a.user.post(
            "/api/v1/placements", params={"client_id": world.a.client_id}, content=body,
            headers={"Content-Type": "text/csv",
                     "Content-Disposition": 'attachment; filename="april.csv"'},
        )  # fmt: skip
        assert response.status_code == 202, response.text
        placement_id = UUID(response.json()["placement_id"])
        await fail_twice(owner_db, placement_id)
    await sign_in(page, world.a.user.username or "")
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await page.goto(f"/portal/placements/{placement_id}")
        await page.get_by_role("heading", name="This file could not be loaded").wait_for()
        alert = await page.get_by_role("alert").inner_text()
        assert alert.startswith("Loading stopped twice at the same place, before any row")
        # Finished: the page no longer polls, and offers no acknowledgement of it.
        assert await page.locator("[data-poll-url]").count() == 0
        assert "updates by itself" not in await page.content()
        assert await page.get_by_role("link", name="Acknowledgement (CSV)").count() == 0
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{width}: {overflow}px wider than the screen"
