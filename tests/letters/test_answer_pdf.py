"""The letters that answer a dispute read back from their PDFs: the verification (what
was verified, the itemization as the notice prints it, the documents enclosed by name),
the original creditor's name and address, and the duplicate-dispute notice (it says the
dispute is duplicative, why, and refers to the earlier response: 1006.38(d)(2)(ii))."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from server.letters.letter_pdf import letter_pdf
from server.letters.schemas import (
    DuplicateDisputeData,
    EnclosureLine,
    Itemization,
    OriginalCreditorData,
    VerificationData,
)
from tests.letters.test_letter_pdf import FACTS, SUIT, read_back

RECEIVED = {"dispute_received_on": date(2026, 11, 18)}
VERIFIED = VerificationData(
    **FACTS, **RECEIVED,
    itemization=Itemization(
        creditor_on_itemization_date="Bank of Example", itemization_date=date(2025, 3, 1),
        amount_on_itemization_date_cents=200_000, interest_since_cents=30_000,
        fees_since_cents=2_456, payments_and_credits_since_cents=4_000,
        current_amount_cents=228_456,
    ),
    enclosures=[
        EnclosureLine(uuid4(), "itemized_statement", "statement-2025.pdf", "application/pdf", 9),
        EnclosureLine(uuid4(), "contract", "card agreement.tif", "image/tiff", 9),
    ],
)  # fmt: skip


def test_the_verification_says_what_was_verified_and_encloses_the_documents() -> None:
    pdf, pages = letter_pdf("verification", VERIFIED)
    assert pages == 1
    text = read_back(pdf)
    assert "Verification of the debt you disputed" in text
    assert "On November 18, 2026, we received your dispute of this debt." in text
    assert "Acme Lending LLC has verified the debt" in text
    assert "ACC-584345" in text
    assert "As of March 1, 2025, you owed Bank of Example:" in text
    for amount in ("$2,000.00", "$300.00", "$24.56", "$40.00", "$2,284.56"):
        assert amount in text
    assert "1. Itemized statement: statement-2025.pdf" in text
    assert "2. Contract: card agreement.tif" in text
    assert "Northwind Recovery Services is a debt collector." in text


def test_a_verification_without_an_itemization_states_the_balance() -> None:
    bare = VerificationData(**FACTS, **RECEIVED, itemization=None, enclosures=[])
    text = read_back(letter_pdf("verification", bare)[0])
    assert "Total amount of the debt now $2,284.56" in text
    assert "Enclosed" not in text


def test_the_original_creditor_letter_gives_its_name_and_address() -> None:
    data = OriginalCreditorData(
        **FACTS, **RECEIVED, original_creditor_name="First Example Bank",
        original_creditor_address=["100 Main St", "Springfield, IL 62701"],
    )  # fmt: skip
    text = read_back(letter_pdf("original_creditor", data)[0])
    assert "you asked us for the name and address of the original creditor" in text
    assert "First Example Bank 100 Main St Springfield, IL 62701" in text


def test_the_duplicate_dispute_notice_says_why_and_refers_to_the_earlier_answer() -> None:
    data = DuplicateDisputeData(
        **FACTS, **RECEIVED, reason="The same words as your letter of October 2; nothing new.",
        earlier_received_on=date(2026, 10, 2), earlier_answered_on=date(2026, 10, 20),
    )  # fmt: skip
    text = read_back(letter_pdf("duplicate_dispute", data)[0])
    assert "We have determined that it is duplicative" in text
    assert "the dispute we received on October 2, 2026" in text
    assert "we mailed our response on October 20, 2026" in text
    assert "Our reasons: The same words as your letter of October 2; nothing new." in text
    assert "Please refer to our earlier response" in text
    assert not SUIT.search(text)
