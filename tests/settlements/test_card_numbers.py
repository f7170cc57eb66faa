"""Card numbers: found in any form the rule names, refused in any field, never stored,
never logged."""

from __future__ import annotations

import json
import logging

import asyncpg
import pytest

from server.kit.cards import card_number_fields, contains_card_number, luhn_valid
from server.kit.logging import REDACTED, redact_text
from tests.fixtures import Caller
from tests.settlements.conftest import NewAccount, payment_body, reverse

VISA = "4111111111111111"
CARDS = [
    VISA,
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "378282246310005",  # Amex, 15 digits
    "3782 822463 10005",
    "6011000990139424",  # Discover
    "4222222222222",  # 13 digits
    "6250941006528599",  # UnionPay
    "4000 0566 5566 5556",
]


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("template", ["{}", "ref:{}", "paid by {} exp 12/27", "order 12345 {}"])
def test_card_numbers_are_found(card: str, template: str) -> None:
    assert contains_card_number(template.format(card))


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails Luhn
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 digits in one run
        "ch_3MmlLrLkdIwHu7ix0snN0B15",
        "ACH trace 0210-0002-1",
        "2026-11-25",
        "",
    ],
)
def test_other_numbers_are_not(text: str) -> None:
    assert not contains_card_number(text)


def _uuid_whose_digits_pass_luhn() -> str:
    """A UUID (version 4 layout) whose dash-joined digit groups look like a card number."""
    for n in range(100_000):
        candidate = f"{n:08d}-1234-4123-8123-abcdef{n % 1000:06d}"
        if contains_card_number(candidate.replace("-", " ").replace("abcdef", "x ")):
            return candidate
    raise AssertionError("no such UUID")


def test_a_uuid_is_an_identifier_not_a_card_number() -> None:
    identifier = _uuid_whose_digits_pass_luhn()
    assert not contains_card_number(identifier)
    assert not contains_card_number(f"see offer {identifier.upper()} from Monday")
    assert card_number_fields({"offer_id": identifier, "account_ids": [identifier]}) == []
    # A card number beside an identifier is still found.
    assert contains_card_number(f"{identifier} {VISA}")
    assert contains_card_number(f"{identifier}-{VISA}")


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_every_string_in_a_body_is_searched_and_named() -> None:
    body = {"a": "x", "b": {"c": [1, "y", f"n {VISA}"]}, VISA: "key", "d": None}
    assert card_number_fields(body) == ["b.c[2]", "[card number]"]


@pytest.mark.parametrize("card", CARDS)
def test_log_redaction_covers_what_is_refused(card: str) -> None:
    assert card not in redact_text(f"reference {card} received")
    assert REDACTED in redact_text(f"reference {card} received")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("processor_reference", "4111 1111 1111 1111"),
        ("notes", f"debtor read out card {VISA} on the call"),
        ("method", VISA),  # the enum message would echo it back
        ("received_at", "4111-1111-1111-1111"),
        ("memo", VISA),  # a field the API does not know
    ],
)
async def test_a_card_number_in_any_field_is_refused_and_kept_nowhere(
    admin: Caller, new_account: NewAccount,
    owner_db: asyncpg.Connection, caplog: pytest.LogCaptureFixture, field: str, value: str,
) -> None:  # fmt: skip
    account = await new_account()
    before = await owner_db.fetchval("SELECT count(*) FROM audit_event")
    with caplog.at_level(logging.DEBUG):
        response = await admin.post(
            f"/api/v1/accounts/{account['id']}/payments",
            headers={"Idempotency-Key": "card-test"},
            json=payment_body(**{field: value}),
        )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "card_number_refused"
    assert [d["field"] for d in error["details"]] == [field]
    digits = value.replace(" ", "").replace("-", "")
    assert digits not in response.text.replace(" ", "").replace("-", "")
    assert await owner_db.fetchval("SELECT count(*) FROM payment") == 0
    assert await owner_db.fetchval("SELECT count(*) FROM idempotency_key") == 0
    assert await owner_db.fetchval("SELECT count(*) FROM audit_event") == before
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert digits not in logged.replace(" ", "").replace("-", "")


async def test_a_card_number_as_the_key_or_in_a_reversal_is_refused(
    admin: Caller, new_account: NewAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    account = await new_account()
    response = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments",
        headers={"Idempotency-Key": VISA},
        json=payment_body(),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    payment = await admin.post(
        f"/api/v1/accounts/{account['id']}/payments",
        headers={"Idempotency-Key": "fine"},
        json=payment_body(),
    )
    refused = await reverse(admin, payment.json()["payment_id"], reason=f"chargeback on {VISA}")
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "reason"
    assert await owner_db.fetchval("SELECT count(*) FROM payment_reversal") == 0
    dump = await owner_db.fetchval("SELECT string_agg(t::text, '|') FROM (SELECT * FROM payment) t")
    assert VISA not in dump


def test_an_id_is_never_taken_for_a_card_number() -> None:
    from uuid import UUID

    from server.settlements.schemas import PaymentCreate
    from server.settlements.services.idempotency import refuse_card_numbers

    # Its dashed groups 4111-1111-1111-1111 are a Luhn-valid test card number: one random
    # UUID in a few hundred holds such a run, and an offer may have that id.
    offer_id = UUID("41111111-1111-1111-1111-000000000000")
    payment = PaymentCreate(
        amount_cents=1000, method="ach", paid_to="agency",  # type: ignore[arg-type]
        received_at="2026-11-02", offer_id=offer_id,  # type: ignore[arg-type]
    )  # fmt: skip
    refuse_card_numbers(payment)
    # As the API reads it, before decoding: the id is a string.
    refuse_card_numbers({"offer_id": str(offer_id), "amount_cents": 1000})
    # A note that names the id names an identifier; the same digits grouped as a card are
    # still a card number.
    assert card_number_fields({"notes": f"see offer {offer_id}"}) == []
    assert card_number_fields({"notes": "card 4111-1111-1111-1111"}) == ["notes"]
