"""`agency seed-demo` gives the demo client something real on every portal page."""

from __future__ import annotations

import re

from client_portal.charts import MAX_VINTAGES
from server.demo import DEMO_PASSWORD, VINTAGE_MONTHS, seed
from server.kit.settings import get_settings
from tests.client_portal.conftest import NewBrowser


async def test_the_demo_fills_every_portal_page(browser: NewBrowser) -> None:
    await seed(get_settings(), accounts_per_client=40)
    demo = await browser()
    assert (await demo.sign_in("demo.client1", DEMO_PASSWORD)).status_code == 303

    dashboard = (await demo.get("/portal/dashboard")).text
    # A curve for each older placement month and this month's, as many as the chart holds.
    assert dashboard.count('class="series"') == min(len(VINTAGE_MONTHS) + 1, MAX_VINTAGES)
    assert "Recovery rate" in dashboard
    approvals = (await demo.get("/portal/approvals")).text
    assert "Accept offer" in approvals
    statements = (await demo.get("/portal/statements")).text
    assert len(re.findall(r"/portal/statements/[0-9a-f-]{36}\.pdf", statements)) >= 5
    placements = (await demo.get("/portal/placements")).text
    with_errors = re.search(
        r'href="(/portal/placements/[0-9a-f-]{36})">weekly-new-business', placements
    )
    assert with_errors
    page = (await demo.get(with_errors.group(1))).text
    assert "is not an amount in dollars, such as 1,234.56" in page
    accounts = (await demo.get("/portal/accounts?status=paid_in_full")).text
    assert "Paid in full" in accounts
