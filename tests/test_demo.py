"""`agency seed-demo`: what it makes must pass the same checks as anyone's input."""

from __future__ import annotations

from uuid import UUID

from server.demo import _demo_key
from server.settlements.cards import contains_card_number


def test_demo_payment_keys_never_hold_a_card_number() -> None:
    # Its dashed groups 4111-1111-1111-1111 are a Luhn-valid test card number.
    card_like = UUID("41111111-1111-1111-1111-000000000000")
    assert contains_card_number(str(card_like))
    key = _demo_key("payment", card_like)
    assert not contains_card_number(key)
    assert not any(char.isdigit() for char in key)
    assert key == _demo_key("payment", card_like) != _demo_key("offer", card_like)
