"""Helpers for the payment and reversal tests: post a payment as any caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, new_key

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
