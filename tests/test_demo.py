"""`agency seed-demo`: what it makes must pass the same checks as anyone's input."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from server.demo import _demo_key
from server.settlements.cards import contains_card_number


def test_demo_payment_keys_never_hold_a_card_number() -> None:
    # Its dashed groups 4111-1111-1111-1111 are a Luhn-valid test card number: as an id it
    # is an identifier, but a key made of its digits would hold a card number.
    card_like = UUID("41111111-1111-1111-1111-000000000000")
    assert contains_card_number(str(card_like).replace("-", " "))
    key = _demo_key("payment", card_like)
    assert not contains_card_number(key)
    assert not any(char.isdigit() for char in key)
    assert key == _demo_key("payment", card_like) != _demo_key("offer", card_like)


async def test_the_demo_makes_offers_in_every_state_broken_and_expired_ones_too(
    make_client: Any, make_account: Any, make_user: Any, owner_db: asyncpg.Connection
) -> None:
    from server.auth.service import principal_for_user
    from server.demo import _offers_in_every_state

    client = await make_client()
    for _ in range(12):
        await make_account(client["client_id"], principal_cents=200_000)
    collector = await make_user("collector", client_ids=[client["client_id"]])
    await _offers_in_every_state(
        await principal_for_user(UUID(collector.user_id)), UUID(client["client_id"])
    )
    statuses = dict(await owner_db.fetch("SELECT status, count(*) FROM offer GROUP BY status"))
    assert statuses == {
        "pending_client": 2, "pending_supervisor": 1, "accepted": 1, "rejected": 1,
        "withdrawn": 1, "fulfilled": 1, "broken": 1, "expired": 1,
    }  # fmt: skip
    # Broken after its first instalment was paid; the lapsed offers' reasons say why.
    reasons = dict(
        await owner_db.fetch(
            "SELECT status, closed_reason FROM offer WHERE status IN ('broken', 'expired')"
        )
    )
    assert reasons["broken"].endswith("was not paid within 5 days")
    assert reasons["expired"].startswith("not paid in full by ")
    assert await owner_db.fetchval("SELECT count(*) FROM payment WHERE offer_id IS NOT NULL") == 2
