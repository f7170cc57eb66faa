"""Searching accounts by the person's phone number, typed any common way; a client finds
only by the numbers it supplied, even where another client's account is the same
person's."""

from __future__ import annotations

import pytest

from server.accounts.phone_search import searched_phone
from server.kit.errors import InvalidInput
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

NUMBER = "+13129397362"


@pytest.mark.parametrize(
    "typed", ["(312) 939-7362", "312-939-7362", "312.939.7362", "3129397362", "+13129397362",
              "+1 312 939 7362", "1 (312) 939-7362"],
)  # fmt: skip
def test_every_common_way_of_writing_a_number_is_read(typed: str) -> None:
    assert searched_phone(typed) == NUMBER


@pytest.mark.parametrize("query", ["Smith", "ACC-1001", "123456", "1234567890", "O'Brien"])
def test_names_and_account_numbers_are_no_phone(query: str) -> None:
    assert searched_phone(query) is None


@pytest.mark.parametrize("typed", ["(312) 939-73", "+1 555 0100 999", "312-000-0000"])
def test_a_query_written_as_a_phone_that_is_none_is_refused_on_q(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        searched_phone(typed)
    assert refused.value.details[0].field == "q"


async def _found(caller: Caller, q: str) -> list[str]:
    response = await caller.get("/api/v1/accounts", params={"q": q})
    assert response.status_code == 200, response.text
    return [item["account_id"] for item in response.json()["items"]]


async def test_a_client_finds_only_by_the_numbers_it_supplied(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser, admin: Caller
) -> None:
    first, second = await make_client(), await make_client()
    supplied = await make_account(first["client_id"], phones=[("mobile", NUMBER)])
    # The same person placed by another client, who gave no number.
    other = await make_account(second["client_id"], debtor_id=supplied["debtor_id"])
    first_user = await make_user("client", client_id=first["client_id"])
    second_user = await make_user("client", client_id=second["client_id"])
    assert await _found(first_user, "(312) 939-7362") == [str(supplied["id"])]
    assert await _found(second_user, "(312) 939-7362") == []
    # The agency's people find the person's every account by any number of theirs.
    assert set(await _found(admin, "312.939.7362")) == {str(supplied["id"]), str(other["id"])}


async def test_an_unreadable_phone_is_a_422_on_q(admin: Caller) -> None:
    response = await admin.get("/api/v1/accounts", params={"q": "(312) 939-73"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "q"
