"""Every page renders with data, for the client signed in."""

from __future__ import annotations

import httpx

from tests import world as world_module
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.portal.conftest import NewBrowser


async def test_every_page_renders(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    browser: NewBrowser,
) -> None:
    world = await world_module.build_world(http, admin, make_user, make_client, make_account)
    a = await browser()
    assert (await a.sign_in(world.a.user.username or "")).status_code == 303
    for url in [
        "/portal/dashboard",
        "/portal/placements",
        "/portal/accounts",
        f"/portal/accounts/{world.a.account['id']}",
        "/portal/approvals",
        "/portal/statements",
    ]:
        response = await a.get(url)
        assert response.status_code == 200, (url, response.text[:3000])
