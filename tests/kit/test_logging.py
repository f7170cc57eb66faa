"""PII redaction: in free text, by key, nested, and end to end through the configured
handlers (structlog's loggers and the standard library's alike)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from server.kit.logging import REDACTED, configure_logging, get_logger, redact_pii, redact_text

SSN = "123-45-6789"
SSN_BARE = "123456789"
PHONES = [
    "+1 (555) 123-4567",
    "(555) 123-4567",
    "555.123.4567",
    "555-123-4567",
    "5551234567",
    "+15551234567",
    "1-555-123-4567",
]
EMAILS = ["jane.doe@example.com", "j.o'brien+collections@mail.example.co.uk"]
CARDS = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005"]
# Every digit run of the PII above that must never survive in any form.
PII_FRAGMENTS = ["6789", "4567", "1111", "0005", "@example", "jane", "brien"]


def _process(**event: Any) -> dict[str, Any]:
    return redact_pii(None, "info", {"event": "test.event", **event})


@pytest.mark.parametrize(
    "text",
    [
        f"ssn {SSN} on file",
        f"ssn={SSN_BARE}",
        f"SSN is {SSN_BARE}.",
        f"ssn:{SSN_BARE}, dob 1980-01-01",
        f"({SSN_BARE})",
        f"'{SSN_BARE}'",
    ],
)
def test_ssn_in_text_is_redacted(text: str) -> None:
    redacted = redact_text(text)
    assert REDACTED in redacted
    assert "6789" not in redacted


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("template", ["{}", "call {} now", "phone: {}.", "numbers [{}]"])
def test_phone_numbers_in_text_are_redacted(phone: str, template: str) -> None:
    redacted = redact_text(template.format(phone))
    assert REDACTED in redacted
    assert "4567" not in redacted
    assert "555" not in redacted
    assert redacted == template.format(REDACTED)


@pytest.mark.parametrize("email", EMAILS)
def test_emails_in_text_are_redacted(email: str) -> None:
    redacted = redact_text(f"sent to {email}, bounced")
    assert redacted == f"sent to {REDACTED}, bounced"


@pytest.mark.parametrize("card", CARDS)
def test_card_like_digit_runs_are_redacted_whole(card: str) -> None:
    redacted = redact_text(f"card {card} declined")
    assert redacted == f"card {REDACTED} declined"


@pytest.mark.parametrize(
    "text",
    [
        str(uuid.uuid4()),
        "12345678-1234-1234-1234-123456789012",  # a UUID whose groups are all digits
        uuid.uuid4().hex,
        "5551234567abcdef5551234567abcdef",  # a request id that starts like a phone number
        "2026-11-25T14:03:27.123456+00:00",
        "2026-11-25",
        "paid 123456 cents",
        "balance 123456789.50",
        "ratio 0.123456789",
        "/api/v1/accounts/12345678-1234-1234-1234-123456789012/calls",
        "placement 3 of 12, rows 1000000",
        "ZIP 02134-1234",
        "v2.25.0",
    ],
)
def test_non_pii_text_is_kept(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "key",
    [
        "ssn",
        "debtor_ssn",
        "date_of_birth",
        "dob",
        "debtorDOB",
        "phone",
        "phones",
        "mobile_number",
        "email",
        "e_mail",
        "password",
        "access_token",
        "refreshToken",
        "client_secret",
        "card",
        "card_number",
        "creditCard",
    ],
)
@pytest.mark.parametrize("value", ["anything", "", 42, 0.5, None, ["a", "b"], {"x": 1}])
def test_pii_keys_are_redacted_whatever_the_value(key: str, value: Any) -> None:
    assert _process(**{key: value})[key] == REDACTED


def test_nested_values_are_redacted() -> None:
    event = _process(
        debtor={
            "name_on_file": "J. Doe",
            "ssn": SSN,
            "contacts": [
                {"phone": "555.123.4567", "status": "valid"},
                {"email": "jane.doe@example.com", "status": "bounced"},
                {"note": "alt number 555-987-6543"},
            ],
            "identifiers": ("123-45-6789", "client-ref-7"),
            "by_number": {"5551234567": "do_not_call"},
        },
        notes=["called 5551234567", f"confirmed {SSN_BARE}."],
    )
    debtor = event["debtor"]
    assert debtor["name_on_file"] == "J. Doe"
    assert debtor["ssn"] == REDACTED
    assert debtor["contacts"][0] == {"phone": REDACTED, "status": "valid"}
    assert debtor["contacts"][1] == {"email": REDACTED, "status": "bounced"}
    assert debtor["contacts"][2] == {"note": f"alt number {REDACTED}"}
    assert debtor["identifiers"] == [REDACTED, "client-ref-7"]
    assert debtor["by_number"] == {REDACTED: "do_not_call"}
    assert event["notes"] == [f"called {REDACTED}", f"confirmed {REDACTED}."]


def test_event_text_itself_is_redacted() -> None:
    event = redact_pii(None, "info", {"event": f"payment from jane.doe@example.com ssn {SSN}"})
    assert event["event"] == f"payment from {REDACTED} ssn {REDACTED}"


def test_non_pii_values_are_kept() -> None:
    request_id = uuid.uuid4().hex
    account_id = str(uuid.uuid4())
    event = _process(
        request_id=request_id,
        user_id=account_id,
        account_id=account_id,
        amount_cents=123456,
        balance_cents=123456789,  # an integer amount is never a "bare SSN"
        fee_bps=2500,
        at="2026-11-25T14:03:27+00:00",
        duration_ms=12.5,
        ok=True,
        status="active",
        company="Acme Receivables",
        span_id="a1b2c3",
        cardinality=3,
        path=f"/api/v1/accounts/{account_id}",
    )
    assert event == {
        "event": "test.event",
        "request_id": request_id,
        "user_id": account_id,
        "account_id": account_id,
        "amount_cents": 123456,
        "balance_cents": 123456789,
        "fee_bps": 2500,
        "at": "2026-11-25T14:03:27+00:00",
        "duration_ms": 12.5,
        "ok": True,
        "status": "active",
        "company": "Acme Receivables",
        "span_id": "a1b2c3",
        "cardinality": 3,
        "path": f"/api/v1/accounts/{account_id}",
    }


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging rewires the root logger to the captured stderr; put back what the
    rest of the session (the app's own configuration) had."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_no_pii(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    request_id = uuid.uuid4().hex
    structlog.contextvars.bind_contextvars(request_id=request_id)
    try:
        get_logger("tests.logging").info(
            "debtor.updated",
            ssn=SSN,
            phone="+1 (555) 123-4567",
            note=f"reached at 555.123.4567, mail jane.doe@example.com, card {CARDS[1]}",
            amount_cents=123456,
        )
        logging.getLogger("tests.stdlib").warning(
            "lookup for %s (%s) by %s failed", SSN_BARE, "5551234567", "jane.doe@example.com"
        )
        try:
            raise ValueError(f"bad ssn {SSN}")
        except ValueError:
            get_logger("tests.logging").exception("debtor.failed")
    finally:
        structlog.contextvars.clear_contextvars()

    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert [r["event"] for r in records] == [
        "debtor.updated",
        f"lookup for {REDACTED} ({REDACTED}) by {REDACTED} failed",
        "debtor.failed",
    ]
    assert [r["logger"] for r in records] == ["tests.logging", "tests.stdlib", "tests.logging"]
    assert all(r["request_id"] == request_id for r in (records[0], records[2]))
    updated = records[0]
    assert updated["ssn"] == REDACTED
    assert updated["phone"] == REDACTED
    assert updated["amount_cents"] == 123456
    assert updated["level"] == "info"
    assert "ValueError" in records[2]["exception"]
    for line in lines:
        for fragment in [SSN, SSN_BARE, "5551234567", "555.123.4567", "jane.doe", "4111"]:
            assert fragment not in line, line
