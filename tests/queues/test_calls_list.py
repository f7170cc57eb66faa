"""Calls come back: `GET /api/v1/accounts/{id}/calls` lists every version of every call
about the account, notes included, corrections chained, for the agency's staff only."""

from __future__ import annotations

from typing import Any

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.queues.test_calls import Desk, desk, local

__all__ = ["desk"]


async def calls(caller: Caller, account_id: str, **params: Any) -> dict[str, Any]:
    response = await caller.get(f"/api/v1/accounts/{account_id}/calls", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_calls_come_back_newest_first_with_their_notes_and_findings(desk: Desk) -> None:
    early = await desk.call(local(0, 10), "right_party_contact", notes="Asked for a plan-4411")
    late = await desk.call(local(1, 10), "no_answer")
    page = await calls(desk.collector, desk.account_id)
    assert [c["call_id"] for c in page["items"]] == [late["call_id"], early["call_id"]]
    newest, oldest = page["items"]
    assert oldest["notes"] == "Asked for a plan-4411"
    assert oldest["outcome"] == "right_party_contact"
    assert oldest["recorded_on_account_id"] == desk.account_id
    # The day after a conversation is inside its 7-day block (12 CFR 1006.14(b)(2)(i)(B)).
    assert newest["violations"] == ["reg_f_after_conversation"]
    assert oldest["violations"] == []
    assert page["next_cursor"] is None


async def test_a_correction_is_chained_to_the_version_it_replaced(desk: Desk) -> None:
    first = await desk.call(local(0, 10), notes="first take")
    fixed = await desk.call(
        local(0, 10), "right_party_contact", corrects_call_id=first["call_id"], notes="fixed"
    )
    items = {c["call_id"]: c for c in (await calls(desk.collector, desk.account_id))["items"]}
    assert items[first["call_id"]]["corrected_by_call_id"] == fixed["call_id"]
    assert items[fixed["call_id"]]["corrects_call_id"] == first["call_id"]
    assert items[fixed["call_id"]]["corrected_by_call_id"] is None
    assert {c["chain_id"] for c in items.values()} == {first["call_id"]}


async def test_a_call_about_two_accounts_is_listed_on_both(
    desk: Desk, make_account: MakeAccount
) -> None:
    sibling = await make_account(desk.client["client_id"], debtor_id=desk.account["debtor_id"])
    recorded = await desk.call(local(0, 10), account_ids=[sibling["id"]], notes="both debts")
    [on_sibling] = (await calls(desk.collector, sibling["id"]))["items"]
    assert on_sibling["call_id"] == recorded["call_id"]
    assert on_sibling["recorded_on_account_id"] == desk.account_id


async def test_the_list_pages_by_cursor(desk: Desk) -> None:
    made = [await desk.call(local(day, 10)) for day in range(3)]
    first = await calls(desk.collector, desk.account_id, limit=2)
    rest = await calls(desk.collector, desk.account_id, limit=2, cursor=first["next_cursor"])
    listed = [c["call_id"] for c in first["items"] + rest["items"]]
    assert listed == [c["call_id"] for c in reversed(made)]
    assert rest["next_cursor"] is None


async def test_no_client_and_no_other_portfolio_reads_the_calls(
    desk: Desk, make_client: MakeClient, make_user: MakeUser
) -> None:
    await desk.call(local(0, 10), notes="staff only")
    own_client_user = await make_user("client", client_id=desk.client["client_id"])
    elsewhere = await make_user("collector", client_ids=[(await make_client())["client_id"]])
    url = f"/api/v1/accounts/{desk.account_id}/calls"
    assert (await own_client_user.get(url)).status_code == 403
    assert (await elsewhere.get(url)).status_code == 404
