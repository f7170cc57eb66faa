"""Client A's signed-in browser, given client B's ids, on every portal route that takes
one: 404 every time, nothing of B's in the body, nothing of B's changed.

Routes are read from the app, so a portal page added later is covered without editing
this file; a path parameter this test cannot fill fails loudly."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from litestar.routes import HTTPRoute

from client_portal.templating import STATIC_PATH
from tests import world as world_module
from tests.client_portal.conftest import PortalWorld

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
# A form's plausible fields: whatever it is, another client's id must be refused first.
_FORM = {"reason": "tidy up", "decision": "accept"}


async def _b_ids(world: PortalWorld, db: asyncpg.Connection) -> dict[str, list[str]]:
    b = world.world.b.client_id
    statement = await world_module.id_of(db, "statement_id", b)
    assert statement is not None
    return {
        "placement_id": [str(await world_module.id_of(db, "placement_id", b))],
        "account_id": [world.world.b.account["id"]],
        "offer_id": [world.b_offer],
        "statement_ref": [statement, f"{statement}.csv", f"{statement}.pdf"],
        "statement_id": [statement],
        "request_id": [str(await world_module.id_of(db, "request_id", b))],
        "document_id": [str(await world_module.id_of(db, "document_id", b))],
    }


async def test_another_clients_ids_are_not_found_on_every_page_and_form(
    app: Any, portal_world: PortalWorld, owner_db: asyncpg.Connection
) -> None:
    a = portal_world.a
    ids = await _b_ids(portal_world, owner_db)
    secrets = await world_module.secrets_of(owner_db, portal_world.world.b)
    before = await world_module.fingerprint(owner_db, portal_world.world.b.client_id)
    failures: list[str] = []
    checked = 0

    def leaks(url: str, text: str) -> None:
        leaked = [s for s in secrets if s in text]
        if leaked:
            failures.append(f"{url}: the body holds client B's {leaked}")

    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/portal"):
            continue
        if route.path.startswith(STATIC_PATH):
            continue  # the stylesheet and script, the same for everyone
        params = _PARAM.findall(route.path)
        if not params:
            continue
        missing = [p for p in params if p not in ids]
        if missing:
            failures.append(f"{route.path}: no id of client B for {missing} (extend this test)")
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            for value in ids[params[0]]:
                url = _PARAM.sub(value, route.path)
                if method == "GET":
                    response = await a.get(url)
                else:
                    # The token as a field (forms) and as the header (uploads, whose body
                    # is the file).
                    response = await a.http.post(
                        url, data={"csrf_token": a.csrf, **_FORM},
                        headers={"X-CSRF-Token": a.csrf},
                    )  # fmt: skip
                checked += 1
                if response.status_code != 404:
                    failures.append(f"{method} {url}: {response.status_code}, not 404")
                elif "text/html" not in response.headers["content-type"]:
                    failures.append(f"{method} {url}: the 404 is not a page")
                leaks(url, response.text)

    # Ids in a form's fields, and searches for B's strings, are refused the same way.
    ticked = await a.post_form(
        "/portal/accounts/recall", {"account_id": ids["account_id"][0], "reason": "x"}
    )
    if ticked.status_code != 404:
        failures.append(f"bulk recall of B's account: {ticked.status_code}, not 404")
    by_number = await a.post_form(
        "/portal/accounts/recall",
        {"numbers": portal_world.world.b.account["client_account_number"], "reason": "x"},
    )
    if by_number.status_code != 422:
        failures.append(f"bulk recall of B's account number: {by_number.status_code}")
    leaks("bulk recall", ticked.text + by_number.text)
    for url in [
        "/portal/dashboard",
        "/portal/placements",
        "/portal/approvals",
        "/portal/statements",
        "/portal/accounts",
        f"/portal/accounts?q={portal_world.world.b.account['client_account_number']}",
    ]:
        response = await a.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
        leaks(url, response.text)

    assert checked >= 10
    assert not failures, "\n".join(failures)
    assert await world_module.fingerprint(owner_db, portal_world.world.b.client_id) == before
    # The ids are real: B's own browser reaches them.
    [statement] = ids["statement_id"]
    for url in [
        f"/portal/accounts/{ids['account_id'][0]}",
        f"/portal/placements/{ids['placement_id'][0]}",
        *(f"/portal/statements/{ref}" for ref in ids["statement_ref"]),
        f"/portal/statements/{statement}/remittance-advice.pdf",
        f"/portal/statements/{statement}/fee-invoice.pdf",
    ]:
        assert (await portal_world.b.get(url)).status_code == 200, url


async def test_the_portal_shows_a_client_nothing_another_client_supplied_of_one_person(
    admin: Any, make_client: Any, make_user: Any, browser: Any
) -> None:
    """Client 1 placed a row with client 2's consumer's SSN, a dummy name and a ZIP: its
    pages show its own dummy and nothing client 2 supplied."""
    from tests.accounts.test_one_person_two_clients import DUMMY, FULL, SECRETS
    from tests.placements.test_ingest import csv_bytes, upload_and_load

    one, two = await make_client(), await make_client()
    await upload_and_load(admin, two["client_id"], csv_bytes([FULL]))
    await upload_and_load(admin, one["client_id"], csv_bytes([DUMMY]))
    user = await make_user("client", client_id=one["client_id"])
    page = await browser()
    assert (await page.sign_in(user.username or "")).status_code == 303
    listed = await page.get("/portal/accounts")
    assert listed.status_code == 200
    assert "Dummy" in listed.text
    account_id = await admin.get("/api/v1/accounts", params={"client_id": one["client_id"]})
    shown = await page.get(f"/portal/accounts/{account_id.json()['items'][0]['account_id']}")
    assert shown.status_code == 200
    assert "Dummy" in shown.text
    for text in (listed.text, shown.text, (await page.get("/portal/dashboard")).text):
        assert not [s for s in SECRETS if s in text]
