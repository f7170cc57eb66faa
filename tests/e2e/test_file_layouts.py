"""A client sends its first file in its own layout, in Chromium at desktop and phone
width: the layouts in words and their template, the plain message, the mapping step with
its preview, the layout saved, and the same file loaded."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests import world as world_module
from tests.client_portal.test_layouts import OWN_LAYOUT
from tests.e2e.conftest import DESKTOP, PHONE, sign_in

# The dental practice's columns for ours.
CHOICES = {
    "client_account_number": "Acct No", "last_name": "Patient Last",
    "first_name": "Patient First", "zip": "Zip Code", "principal_cents": "Balance Due",
    "delinquency_date": "Past Due Since", "phone_mobile": "Cell",
}  # fmt: skip


async def _fits(page: Any, what: str) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"


async def _upload(page: Any) -> None:
    await page.get_by_label("CSV file").set_input_files(
        {"name": "dental-march.csv", "mimeType": "text/csv", "buffer": OWN_LAYOUT}
    )
    await page.get_by_label("Kind of file").select_option("new_business")
    await page.get_by_role("button", name="Upload").click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_first_file_in_the_clients_own_layout_loads_after_the_mapping_step(
    page: Any, world: world_module.World, viewport: dict[str, int], tmp_path: Path
) -> None:
    await page.set_viewport_size(viewport)
    shots = os.environ.get("SCREENSHOTS_DIR")

    async def shot(name: str) -> None:
        await _fits(page, name)
        if shots:
            path = Path(shots) / f"{name}-{viewport['width']}.png"
            await page.screenshot(path=str(path), full_page=True)

    await sign_in(page, world.a.user.username or "")
    await page.goto("/portal/placements")
    await page.get_by_role("heading", name="Your file layouts").wait_for()
    layouts = page.locator("details[data-layout=new_business]")
    assert "YYYY-MM-DD or MM/DD/YYYY" in await layouts.inner_text()
    assert "%" not in await layouts.inner_text()
    async with page.expect_download() as download_info:
        await layouts.get_by_role("link", name=re.compile("^Template")).click()
    await (await download_info.value).save_as(tmp_path / "template.csv")
    assert (tmp_path / "template.csv").read_text().startswith("client_account_number,")
    await shot("placements-layouts")

    # The first upload, in the client's own layout: one plain message, and the way on.
    await _upload(page)
    alert = page.get_by_role("alert")
    await alert.wait_for()
    said = await alert.inner_text()
    assert "This file's columns are not those of your new-business layout" in said
    assert "“Acct No”" in said
    assert "missing from the header" not in said
    match = page.get_by_role("button", name="Match my file's columns")
    await match.wait_for()
    await shot("placements-refused")
    await match.click()

    await page.get_by_role("heading", name="Match your file's columns").wait_for()
    await shot("mapping")
    for field, column in CHOICES.items():
        await page.locator(f'select[name="map.{field}"]').select_option(column)
    await page.get_by_label("Dates").select_option("MM/DD/YYYY")
    await page.get_by_role("button", name="Preview the first rows").click()
    preview = page.locator("table.preview")
    await preview.wait_for()
    shown = await preview.inner_text()
    assert "$1,234.56" in shown
    assert "Mar 15, 2025" in shown
    assert await preview.get_by_text("Loads").count() == 3
    await shot("mapping-preview")

    await page.get_by_role("button", name="Save my layout").click()
    await page.wait_for_url(re.compile(r".*/portal/placements\?mapped=new_business.*"))
    await page.get_by_text("Your new-business layout is saved").wait_for()
    await shot("placements-saved")

    # The same file again: it loads, every row.
    await _upload(page)
    await page.wait_for_url(re.compile(r".*/portal/placements/[0-9a-f-]{36}$"))
    await page.get_by_role("heading", name="Acknowledgement").wait_for(timeout=60_000)
    acknowledged = await page.locator("section[aria-labelledby=ack-title]").inner_text()
    assert "placed 3 accounts with a balance of $1,814.55" in acknowledged
    await shot("placement-loaded")
