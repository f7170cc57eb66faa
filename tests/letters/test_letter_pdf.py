"""The settlement offer, the plan confirmation and the paid / settled letters read back
from their PDFs (pdftotext): what each must say, filled from its data; the 1006.18(e)
statement on every one; nothing about a lawsuit on a time-barred debt (1006.26(b))."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest

from server.letters.letter_pdf import letter_pdf
from server.letters.notice_pdf import notice_pdf
from server.letters.schemas import InstallmentLine, PaidData, PlanData, SettlementOfferData
from tests.letters.test_notice_pdf import DATA

FACTS: dict[str, Any] = {
    "agency_name": "Northwind Recovery Services",
    "agency_address": ["PO Box 4410", "Columbus, OH 43215-4410"],
    "agency_phone": "(614) 555-0100",
    "consumer_name": "Jordan Example",
    "consumer_address": ["2323 Park Street", "Apartment 342", "Bethesda, MD 20815"],
    "account_number": "ACC-584345",
    "current_creditor": "Acme Lending LLC",
    "planned_mailing_on": date(2026, 11, 23),
    "balance_cents": 228_456,
    "may_mention_suit": True,
}
OFFER = SettlementOfferData(
    **FACTS, offer_id=uuid4(), offered_on=date(2026, 11, 20), amount_cents=182_765,
    offer_due_on=date(2026, 12, 20), deadline=date(2026, 12, 31),
    validation_period_ends_on=date(2026, 12, 31),
)  # fmt: skip
PLAN = PlanData(
    **FACTS, offer_id=uuid4(), offered_on=date(2026, 11, 20), total_cents=180_000,
    installments=[InstallmentLine(date(2026, 12, 1) + timedelta(days=28 * i), 30_000)
                  for i in range(6)],
    validation_period_ends_on=date(2026, 12, 31),
)  # fmt: skip
SETTLED = PaidData(**FACTS, settled=True, paid_on=date(2026, 11, 19), settlement_cents=182_765)
PAID = PaidData(**FACTS, settled=False, paid_on=date(2026, 11, 19), settlement_cents=None)
LETTERS = {
    "settlement_offer": OFFER,
    "plan_confirmation": PLAN,
    "settled_in_full": SETTLED,
    "paid_in_full": PAID,
}
# Words that mention a lawsuit, in any form.
SUIT = re.compile(r"\b(sue|sued|suit|lawsuits?|legal action|court|litigation)\b", re.IGNORECASE)


def read_back(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    # One space between words whatever the layout's line breaks.
    return re.sub(r"\s+", " ", done.stdout.decode())


def _text(kind: str, data: Any) -> str:
    pdf, pages = letter_pdf(kind, data)
    assert pages == 1
    return read_back(pdf)


HEAD = [
    "Northwind Recovery Services PO Box 4410 Columbus, OH 43215-4410 (614) 555-0100",
    "Jordan Example 2323 Park Street Apartment 342 Bethesda, MD 20815",
    "Reference: ACC-584345",
    "November 23, 2026",
]
COLLECTING = (
    "Northwind Recovery Services is a debt collector. We are trying to collect a debt that"
    " you owe to Acme Lending LLC. We will use any information you give us to help collect"
    " the debt."
)
RIGHTS = (
    "You may still dispute all or part of the debt, or ask for the name and address of the"
    " original creditor, by December 31, 2026."
)
EXPECTED = {
    "settlement_offer": [*HEAD, COLLECTING, "Your settlement offer",
                         "The balance of the debt today: $2,284.56",
                         "The amount we agreed to accept: $1,827.65",
                         "On November 20, 2026, we agreed to accept $1,827.65 as settlement in"
                         " full of this debt. If we receive $1,827.65 by December 31, 2026, you"
                         " will owe nothing more on it.",
                         "Your rights are not affected. This offer does not change the rights"
                         " described in our validation notice.", RIGHTS,
                         "Make your check payable to Northwind Recovery Services and include the"
                         " reference number ACC-584345."],
    "plan_confirmation": [*HEAD, COLLECTING, "Your payment plan",
                          "you agreed to pay it in 6 payments",
                          "Payment 1 of 6, due December 1, 2026 $300.00",
                          "Payment 6 of 6, due April 20, 2027 $300.00",
                          "Total of the plan $1,800.00",
                          "When every payment is made, the debt (balance today $2,284.56) is"
                          " settled in full: you will owe nothing more on it.", RIGHTS],
    "settled_in_full": [*HEAD, "Northwind Recovery Services is a debt collector. This letter"
                        " is from a debt collector, about a debt you owed to Acme Lending LLC.",
                        "Your account is settled in full",
                        "On November 19, 2026, you paid the settlement we agreed, $1,827.65,",
                        "You owe nothing more on this account."],
    "paid_in_full": [*HEAD, "Northwind Recovery Services is a debt collector. This letter is"
                     " from a debt collector", "Your account is paid in full",
                     "On November 19, 2026, you paid the debt in full.",
                     "You owe nothing more on this account."],
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_each_letter_says_what_it_must(kind: str) -> None:
    text = _text(kind, LETTERS[kind])
    for expected in EXPECTED[kind]:
        assert expected in text, f"{kind}: {expected!r} not in {text!r}"


@pytest.mark.parametrize("kind", ["settlement_offer", "plan_confirmation"])
def test_outside_the_validation_period_no_rights_box(kind: str) -> None:
    outside = msgspec.structs.replace(LETTERS[kind], validation_period_ends_on=None)
    text = _text(kind, outside)
    assert "Your rights are not affected" not in text
    assert RIGHTS not in text


def test_the_deadline_printed_is_the_data_s() -> None:
    later = msgspec.structs.replace(OFFER, deadline=date(2027, 2, 5))
    assert "If we receive $1,827.65 by February 5, 2027" in _text("settlement_offer", later)


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_a_time_barred_debt_s_letter_never_mentions_suit(kind: str) -> None:
    barred = msgspec.structs.replace(LETTERS[kind], may_mention_suit=False)
    text = _text(kind, barred)
    assert SUIT.search(text) is None, f"{kind}: {SUIT.search(text)} in {text!r}"


def test_the_notice_never_mentions_suit_either() -> None:
    assert SUIT.search(read_back(notice_pdf(DATA)[0])) is None


def test_a_paid_debt_not_time_barred_is_told_no_suit_follows() -> None:
    for kind in ("paid_in_full", "settled_in_full"):
        assert "No lawsuit will be brought to collect it." in _text(kind, LETTERS[kind])


def test_a_long_plan_runs_onto_a_second_page() -> None:
    long = msgspec.structs.replace(
        PLAN,
        installments=[InstallmentLine(date(2026, 12, 1) + timedelta(days=28 * i), 5_000)
                      for i in range(36)],
    )  # fmt: skip
    pdf, pages = letter_pdf("plan_confirmation", long)
    assert pages == 2
    text = read_back(pdf)
    assert "Payment 36 of 36" in text
    assert "Jordan Example, reference ACC-584345 (continued)" in text
    assert "How to pay" in text
