"""Every workspace page in Chromium at 1280 and 390 px — the collector's, the
supervisor's and the admin's —: none wider than its screen, no script error, no serious
or critical axe-core violation, each photographed into tests/e2e/artifacts/workspace."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.dispatch.test_work_queue import everyone_in, zone_at
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_workspace import every_control_by_tab, fits, photograph, sign_in_by_keyboard
from tests.fixtures import Caller
from tests.workspace.conftest import Floor, floor
from tests.workspace.test_admin_pages import paid_in_october

__all__ = ["floor"]

WIDTHS = [("1280", DESKTOP), ("390", PHONE)]


async def _check(page: Any, name: str, width: str) -> None:
    await page.get_by_role("heading", level=1).first.wait_for()
    await fits(page, name)
    await assert_accessible(page, name)
    await photograph(page, name, width)


async def _sign_out(page: Any) -> None:
    await page.get_by_role("button", name="Sign out").press("Enter")
    await page.wait_for_url("**/workspace/sign-in")


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
async def test_a_collectors_pages(
    page: Any, floor: Floor, width: str, viewport: dict[str, int], owner_db: asyncpg.Connection
) -> None:
    await page.set_viewport_size(viewport)
    await page.goto("/workspace/sign-in")
    await _check(page, "sign-in", width)
    await sign_in_by_keyboard(page, floor.collector.username or "")
    await page.wait_for_url("**/workspace/queue")
    await _check(page, "queue", width)
    account = f"/workspace/accounts/{floor.account['id']}"
    await page.goto(account)
    await _check(page, "account", width)
    # A refused form: its faults next to its fields, still accessible.
    await page.locator("#address-city").fill("Chicago")
    await page.locator("#address-zip").fill("60601")
    await page.locator("#address-state").fill("NY")
    await page.get_by_role("button", name="Record the address").press("Enter")
    await page.locator("#address-address-line1-error").wait_for()
    await _check(page, "account-address-refused", width)
    await page.locator("#address-address-line1").fill("1 Main St")
    await page.locator("#address-state").fill("")
    await page.locator("#address-channel").select_option("oral")
    await page.get_by_role("button", name="Record the address").press("Enter")
    await page.locator("#notice").wait_for()
    await page.locator("#new-phone-number").fill("(312) 939-7362")
    await page.locator("#new-phone-kind").select_option("work")
    await page.locator("#new-phone-channel").select_option("oral")
    await page.get_by_role("button", name="Add the number").press("Enter")
    await page.locator("#notice").wait_for()
    await _check(page, "account-new-contacts", width)
    # A call at 3 a.m. where the consumer is: a finding, for the supervisor's pages.
    await everyone_in(owner_db, zone_at(3))
    await page.reload()
    await page.locator("#call-outcome").select_option("no_answer")
    await page.get_by_role("button", name="Record the call").press("Enter")
    await page.wait_for_url("**?call=*")
    await _check(page, "account-call-finding", width)
    await page.goto(f"/workspace/search?q={floor.account['client_account_number']}")
    await _check(page, "search", width)
    await page.get_by_role("button", name="Keys").press("Enter")
    await page.get_by_role("dialog").wait_for()
    await assert_accessible(page, "the shortcuts")
    await page.goto("/workspace/accounts/00000000-0000-4000-8000-000000000000")
    await _check(page, "not-found", width)


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
async def test_a_supervisors_pages(
    page: Any, floor: Floor, width: str, viewport: dict[str, int]
) -> None:
    offered = await floor.collector.post(
        f"/api/v1/accounts/{floor.account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": 70_000},
    )
    assert offered.status_code == 201, offered.text
    await page.set_viewport_size(viewport)
    await sign_in_by_keyboard(page, floor.supervisor.username or "")
    await page.wait_for_url("**/workspace/approvals")
    await page.locator(".offer-card").wait_for()
    await _check(page, "approvals", width)
    await page.goto("/workspace/findings")
    await _check(page, "findings", width)
    await page.goto("/workspace/collectors")
    await page.get_by_role("button", name="Run the dispatcher").press("Enter")
    await page.locator("#ran").wait_for()
    await _check(page, "collectors", width)
    await page.goto(f"/workspace/collectors/{floor.collector.user_id}/queue")
    await page.locator(".score-parts").first.wait_for()
    await _check(page, "collector-queue", width)
    # An oral dispute: the aging report, and the account's verification request.
    disputed = await floor.collector.post(
        f"/api/v1/accounts/{floor.account['id']}/disputes",
        json={"channel": "oral", "words": "Says the fees were never agreed"},
    )
    assert disputed.status_code == 201, disputed.text
    await page.goto("/workspace/disputes")
    await page.get_by_role("heading", name="Aging").wait_for()
    await _check(page, "disputes", width)
    await page.goto(f"/workspace/accounts/{floor.account['id']}#verification")
    await page.get_by_text("Says the fees were never agreed").first.wait_for()
    await _check(page, "account-verification", width)


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
async def test_an_admins_pages(
    page: Any, floor: Floor, admin: Caller, width: str, viewport: dict[str, int]
) -> None:
    await paid_in_october(admin, floor.account["id"], 12_500)
    await page.set_viewport_size(viewport)
    await sign_in_by_keyboard(page, admin.username or "")
    await page.wait_for_url("**/workspace/search")
    await page.goto("/workspace/admin/clients")
    await _check(page, "admin-clients", width)
    await page.get_by_role("link", name="New client").press("Enter")
    await page.wait_for_url("**/admin/clients/new")
    await _check(page, "admin-client-new", width)
    await page.locator("#client-fee-primary").fill("abc")
    await page.locator("#client-authority-supervisor-min-percent").fill("90")
    await page.get_by_role("button", name="Set up the client").press("Enter")
    await page.locator("#client-fee-primary-error").wait_for()
    await _check(page, "admin-client-refused", width)
    await page.goto(f"/workspace/admin/clients/{floor.client_id}")
    await page.locator("#token-name").fill("Nightly upload")
    await page.get_by_role("button", name="Create a token").press("Enter")
    await page.locator("#token-created").wait_for()
    await _check(page, "admin-client-token", width)
    await page.goto("/workspace/admin/users")
    await _check(page, "admin-users", width)
    await page.goto("/workspace/admin/statements")
    await page.get_by_role("button", name="Run remittance now").press("Enter")
    await page.locator("#issued").wait_for()
    await _check(page, "admin-statements", width)
    await page.locator("td a[href^='/workspace/admin/statements/']").first.press("Enter")
    await page.get_by_role("heading", name="Totals").wait_for()
    await _check(page, "admin-statement", width)


async def test_every_control_of_the_admins_and_the_new_forms_is_reachable_by_tab(
    page: Any, floor: Floor, admin: Caller
) -> None:
    await sign_in_by_keyboard(page, admin.username or "")
    await page.wait_for_url("**/workspace/search")
    for url in (
        f"/workspace/admin/clients/{floor.client_id}",
        "/workspace/admin/users",
        "/workspace/admin/statements",
        f"/workspace/collectors/{floor.collector.user_id}/queue",
        f"/workspace/accounts/{floor.account['id']}",
    ):
        await page.goto(url)
        await page.get_by_role("heading", level=1).first.wait_for()
        await every_control_by_tab(page)
