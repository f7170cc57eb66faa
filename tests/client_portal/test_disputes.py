"""A dispute as the client sees it: the debt marked disputed in the accounts list, the
account page (with the consumer's words) and the accounts CSV; its open disputes, oldest
first, on the Disputes page; never another client's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from server.kit import clock
from tests.client_portal.conftest import NewBrowser
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser


async def test_an_oral_dispute_marks_the_debt_in_the_portal_and_its_export(
    browser: NewBrowser, admin: Caller, make_client: MakeClient, make_user: MakeUser,
    make_account: MakeAccount,
) -> None:  # fmt: skip
    client = await make_client()
    account = await make_account(client["client_id"], client_account_number="DISP-1")
    await make_account(client["client_id"], client_account_number="CALM-1")
    received = clock.now() - timedelta(days=2)
    made = await admin.post(
        f"/api/v1/accounts/{account['id']}/disputes",
        json={"channel": "oral", "words": "Says the fees are wrong-5521",
              "received_at": received.isoformat()},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    user = await make_user("client", client_id=client["client_id"])
    signed_in = await browser()
    assert (await signed_in.sign_in(user.username or "")).status_code == 303

    listing = (await signed_in.get("/portal/accounts")).text
    assert listing.count('<span class="badge badge-disputed">Disputed</span>') == 1
    page = (await signed_in.get(f"/portal/accounts/{account['id']}")).text
    assert "wrong-5521" in page
    assert "Collection goes on; no dispute stops it." in page
    export = (await signed_in.get("/portal/accounts.csv")).text
    rows = {r["Client account number"]: r for r in csv.DictReader(io.StringIO(export))}
    assert (rows["DISP-1"]["disputed_on"], rows["DISP-1"]["Disputed"]) == (
        clock.agency_date(received).isoformat(), "Disputed",
    )  # fmt: skip
    assert (rows["CALM-1"]["disputed_on"], rows["CALM-1"]["Disputed"]) == ("", "")

    disputes = (await signed_in.get("/portal/disputes")).text
    assert "DISP-1" in disputes
    assert "2 days" in disputes

    other = await make_user("client", client_id=(await make_client())["client_id"])
    stranger = await browser(address="203.0.113.21")
    assert (await stranger.sign_in(other.username or "")).status_code == 303
    assert "DISP-1" not in (await stranger.get("/portal/disputes")).text
    assert (await stranger.get(f"/portal/accounts/{account['id']}")).status_code == 404
