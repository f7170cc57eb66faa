"""The portal shows the client which of its accounts have been noticed: not yet mailed,
mailed with the period's end, or returned undeliverable — in the accounts list and on the
account's page, from the letters' mailing records, and never another client's."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from server.auth.principal import Principal, Role
from server.kit import clock
from server.letters import service as letters
from tests.client_portal.conftest import PortalWorld
from tests.fixtures import MakeAccount

# A batch made Friday 2026-11-20 is mailed Monday 2026-11-23; its notices print
# 2026-12-31 (receipt Tuesday 2026-12-01, Thanksgiving not counted, + 30 days). Before
# every instant the suite's clock is pinned at, so the mailing reported is in the past.
FRIDAY = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
MAILED, ENDS = "Nov 23, 2026", "Dec 31, 2026"


def _row_of(html: str, number: str) -> str:
    """The accounts list's table row of one account, its tags dropped."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.DOTALL)
    [row] = [r for r in rows if f">{number}</a>" in r]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def _facts(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_list_and_the_page_say_which_accounts_were_noticed(
    portal_world: PortalWorld, make_account: MakeAccount
) -> None:
    world = portal_world.world
    client_id = world.a.client_id
    made = {
        name: await make_account(client_id, charge_off_date=date(2025, 3, 1))
        for name in ("mailed", "returned", "unmailed")
    }
    other = await make_account(world.b.client_id, charge_off_date=date(2025, 3, 1))
    with clock.running_from(FRIDAY):
        batch = await letters.make_batch()
    assert batch.batch is not None
    index = await world.admin.get(f"/api/v1/letter-batches/{batch.batch.batch_id}.csv")
    letter_of = {r["account_id"]: r["letter_id"] for r in csv.DictReader(io.StringIO(index.text))}
    rows = [
        f"{letter_of[made['mailed']['id']]},2026-11-23,,",
        f"{letter_of[made['returned']['id']]},2026-11-23,2026-11-30,moved",
        f"{letter_of[other['id']]},2026-11-23,,",
    ]
    body = "letter_id,mailed_on,returned_on,reason\r\n" + "".join(r + "\r\n" for r in rows)
    imported = await world.admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["errors"] == []

    listed = (await portal_world.a.get("/portal/accounts")).text
    assert "Validation notice" in listed
    mailed = _row_of(listed, made["mailed"]["client_account_number"])
    assert f"Mailed {MAILED}" in mailed
    assert re.search(rf"period (ends|ended) {ENDS}", mailed), mailed
    returned = _row_of(listed, made["returned"]["client_account_number"])
    assert "Returned undeliverable" in returned
    assert "returned Nov 30, 2026" in returned
    assert ENDS not in returned
    # Batched for the vendor is not mailed.
    assert "Not yet mailed" in _row_of(listed, made["unmailed"]["client_account_number"])
    assert other["client_account_number"] not in listed

    page = _facts((await portal_world.a.get(f"/portal/accounts/{made['mailed']['id']}")).text)
    assert re.search(rf"Validation notice Mailed {MAILED} period (ends|ended) {ENDS}", page)
    page = _facts((await portal_world.a.get(f"/portal/accounts/{made['returned']['id']}")).text)
    assert "Validation notice Returned undeliverable mailed Nov 23, 2026, returned Nov 30" in page
    page = _facts((await portal_world.a.get(f"/portal/accounts/{made['unmailed']['id']}")).text)
    assert "Validation notice Not yet mailed" in page
    # Client B's mailed notice is B's: A's portal cannot reach that account at all.
    foreign = await portal_world.a.get(f"/portal/accounts/{other['id']}")
    assert foreign.status_code == 404


async def test_the_state_agrees_with_the_account_detail(
    portal_world: PortalWorld, make_account: MakeAccount
) -> None:
    world = portal_world.world
    account = await make_account(world.a.client_id, charge_off_date=date(2025, 3, 1))
    with clock.running_from(FRIDAY):
        batch = await letters.make_batch()
    assert batch.batch is not None
    index = await world.admin.get(f"/api/v1/letter-batches/{batch.batch.batch_id}.csv")
    [letter_id] = [
        r["letter_id"]
        for r in csv.DictReader(io.StringIO(index.text))
        if r["account_id"] == account["id"]
    ]
    body = f"letter_id,mailed_on,returned_on,reason\r\n{letter_id},2026-11-23,,\r\n"
    await world.admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    detail = (await world.a.user.get(f"/api/v1/accounts/{account['id']}")).json()
    account_id = UUID(account["id"])
    own = Principal(uuid4(), "user", Role.CLIENT, "a", client_id=UUID(world.a.client_id))
    state = (await letters.notice_states(own, [account_id]))[account_id]
    assert (state.state, state.mailed_on, state.period_ends_on) == (
        detail["validation_state"],
        date.fromisoformat(detail["validation_notice_sent_on"]),
        date.fromisoformat(detail["validation_period_ends_on"]),
    )
    # Another client's principal reads nothing of it (the filter is in the query).
    foreign = Principal(uuid4(), "user", Role.CLIENT, "b", client_id=UUID(world.b.client_id))
    state = (await letters.notice_states(foreign, [account_id]))[account_id]
    assert (state.state, state.mailed_on) == ("notice_not_mailed", None)
