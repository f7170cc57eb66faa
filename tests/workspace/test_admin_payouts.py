"""An admin records a statement's payout on its page, once: the fields refused in words
with nothing written, the advice ready after, a second payout refused; no one else may."""

from __future__ import annotations

import asyncpg

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.workspace.conftest import Browser, NewBrowser
from tests.workspace.test_admin_pages import _admin, paid_in_october


async def _statement(b: Browser, admin: Caller, make_client: MakeClient,
                     make_account: MakeAccount) -> tuple[str, str]:  # fmt: skip
    client = await make_client()
    account = await make_account(client["client_id"])
    await paid_in_october(admin, account["id"], 10_000)
    assert (await b.post_form("/workspace/admin/remittance")).status_code == 303
    listed = (await b.get(f"/workspace/admin/statements?client={client['client_id']}")).text
    statement_id = listed.split('href="/workspace/admin/statements/')[1].split('"')[0]
    return str(client["client_id"]), statement_id


async def test_a_payout_is_recorded_once_and_refused_in_words(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient,
    make_account: MakeAccount, owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    b = await _admin(staff_browser, admin)
    _, statement_id = await _statement(b, admin, make_client, make_account)
    url = f"/workspace/admin/statements/{statement_id}"
    page = (await b.get(url)).text
    assert "Record the payout" in page
    assert "Not paid out yet." in page

    refused = await b.post_form(f"{url}/payout", {"method": "wire", "reference": "",
                                                  "paid_on": "2026-13-01"})  # fmt: skip
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "Reference:" in refused.text or "Paid on:" in refused.text
    assert await owner_db.fetchval("SELECT count(*) FROM statement_payout") == 0

    paid = await b.post_form(f"{url}/payout", {"method": "ach", "reference": "ACH-7731",
                                               "paid_on": "2026-11-03"})  # fmt: skip
    assert paid.status_code == 303
    after = (await b.get(paid.headers["location"])).text
    assert "The payout is recorded" in after
    assert "reference ACH-7731" in after
    assert "Record the payout" not in after
    advice = await b.get(f"{url}/remittance-advice.pdf")
    assert advice.status_code == 200
    assert advice.content.startswith(b"%PDF")

    again = await b.post_form(f"{url}/payout", {"method": "check", "reference": "CHK-1",
                                                "paid_on": "2026-11-04"})  # fmt: skip
    assert again.status_code == 409
    assert "Not done:" in again.text
    assert await owner_db.fetchval("SELECT count(*) FROM statement_payout") == 1


async def test_only_an_admin_records_a_payout_and_only_with_the_forms_token(
    staff_browser: NewBrowser, admin: Caller, make_client: MakeClient,
    make_account: MakeAccount, make_user: MakeUser, owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    b = await _admin(staff_browser, admin)
    _, statement_id = await _statement(b, admin, make_client, make_account)
    form = f"/workspace/admin/statements/{statement_id}/payout"
    good = {"method": "ach", "reference": "ACH-1", "paid_on": "2026-11-03"}
    forged = await b.post_form(form, {**good, "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 403
    supervisor = await make_user("supervisor")
    other = await staff_browser()
    assert (await other.sign_in(supervisor.username or "")).status_code == 303
    assert (await other.post_form(form, good)).status_code == 403
    assert await owner_db.fetchval("SELECT count(*) FROM statement_payout") == 0
