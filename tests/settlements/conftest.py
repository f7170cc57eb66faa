"""Helpers for the payment and reversal tests: post a payment as any caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key

Pay = Callable[..., Awaitable[httpx.Response]]


def payment_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amount_cents": 2_500,
        "method": "ach",
        "paid_to": "agency",
        "received_at": "2026-11-02",
    }
    body.update(overrides)
    return body


@pytest.fixture
def pay() -> Pay:
    async def post(
        caller: Caller, account_id: str, *, key: str | None = None, **overrides: Any
    ) -> httpx.Response:
        return await caller.post(
            f"/api/v1/accounts/{account_id}/payments",
            headers={"Idempotency-Key": key or new_key()},
            json=payment_body(**overrides),
        )

    return post


async def reverse(caller: Caller, payment_id: str, **body: Any) -> httpx.Response:
    return await caller.post(
        f"/api/v1/payments/{payment_id}/reversal", json={"reason": "NSF", **body}
    )


NewAccount = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def new_account(make_client: MakeClient, make_account: MakeAccount) -> NewAccount:
    """An account of a new client of its own (settings overridable), owing
    `principal_cents`."""

    async def make(principal_cents: int = 100_000, **client_settings: Any) -> dict[str, Any]:
        client = await make_client(**client_settings)
        return await make_account(client["client_id"], principal_cents=principal_cents)

    return make


class Shop:
    """A client with its collector and client user, and fresh accounts on demand."""

    def __init__(
        self, client: dict[str, Any], collector: Caller, user: Caller, make_account: MakeAccount
    ) -> None:
        self.client = client
        self.collector = collector
        self.user = user
        self._make_account = make_account

    async def account(self, principal_cents: int = 100_000) -> str:
        account = await self._make_account(
            self.client["client_id"], principal_cents=principal_cents
        )
        return str(account["id"])


@pytest.fixture
async def shop(make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser) -> Shop:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    user = await make_user("client", client_id=client["client_id"])
    return Shop(client, collector, user, make_account)
