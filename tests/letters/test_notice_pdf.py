"""The validation notice read back from its PDF (pdftotext): every disclosure of 12 CFR
1006.34(c), found by paragraph, filled from the notice's data."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import msgspec
import pytest

from server.letters.notice_pdf import notice_pdf
from server.letters.schemas import NoticeData

DATA = NoticeData(
    agency_name="Northwind Recovery Services",
    agency_address=["PO Box 4410", "Columbus, OH 43215-4410"],
    agency_phone="(614) 555-0100",
    agency_dispute_address=None,
    consumer_name="Jordan Example",
    consumer_address=["2323 Park Street", "Apartment 342", "Bethesda, MD 20815"],
    account_number="ACC-584345",
    creditor_on_itemization_date="Original Bank",
    current_creditor="Acme Lending LLC",
    itemization_date=date(2025, 1, 2),
    amount_on_itemization_date_cents=223_456,
    interest_since_cents=7_500,
    fees_since_cents=2_500,
    payments_and_credits_since_cents=5_000,
    current_amount_cents=228_456,
    validation_period_ends_on=date(2026, 12, 31),
    planned_mailing_on=date(2026, 11, 23),
)


def _text(data: NoticeData) -> str:
    pdf, pages = notice_pdf(data)
    assert pages == 1
    assert pdf.startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    # One space between words whatever the layout's line breaks.
    return re.sub(r"\s+", " ", done.stdout.decode())


END = "December 31, 2026"
# 1006.34(c) paragraph by paragraph: what the notice must say, as it says it.
PARAGRAPHS = {
    # (c)(1): the debt collector communication disclosure of 1006.18(e).
    "(c)(1)": ["Northwind Recovery Services is a debt collector. We are trying to collect a"
               " debt that you owe to Acme Lending LLC. We will use any information you give"
               " us to help collect the debt."],
    "(c)(2)(i)": ["Northwind Recovery Services PO Box 4410 Columbus, OH 43215-4410"],
    "(c)(2)(ii)": ["Jordan Example 2323 Park Street Apartment 342 Bethesda, MD 20815"],
    "(c)(2)(iii)": ["You had an account with Original Bank"],
    "(c)(2)(iv)": ["with account number ACC-584345."],
    "(c)(2)(v)": ["that you owe to Acme Lending LLC."],
    "(c)(2)(vi)": ["As of January 2, 2025, you owed:"],
    "(c)(2)(vii)": ["you owed: $2,234.56"],
    "(c)(2)(viii)": ["Between January 2, 2025 and today:",
                     "You were charged this amount in interest: + $75.00",
                     "You were charged this amount in fees: + $25.00",
                     "You paid or were credited this amount toward the debt: - $50.00"],
    "(c)(2)(ix)": ["Total amount of the debt now: $2,284.56"],
    "(c)(3)(i)": [f"If you write to us by {END}, we must stop collection on any amount you"
                  " dispute until we send you information that shows you owe the debt."],
    "(c)(3)(ii)": ["Write to ask for the name and address of the original creditor, if"
                   f" different from the current creditor. If you write by {END}, we must"
                   " stop collection until we send you that information."],
    "(c)(3)(iii)": [f"Call or write to us by {END}, to dispute all or part of the debt. If"
                    " you do not, we will assume that our information is correct."],
    "(c)(3)(iv)": ["Go to www.cfpb.gov/debt-collection to learn more about your rights under"
                   " federal law."],
    "(c)(4)": ["How do you want to respond?", "I want to dispute the debt because I think:",
               "This is not my debt.", "The amount is wrong.",
               "Other (please describe on reverse or attach additional information).",
               "I want you to send me the name and address of the original creditor.",
               "Mail this form to: Northwind Recovery Services PO Box 4410"],
}  # fmt: skip


@pytest.mark.parametrize("paragraph", sorted(PARAGRAPHS))
def test_each_disclosure_is_on_the_notice(paragraph: str) -> None:
    text = _text(DATA)
    for expected in PARAGRAPHS[paragraph]:
        assert expected in text, f"1006.34{paragraph}: {expected!r} not in {text!r}"


def test_every_paragraph_of_1006_34_c_is_checked() -> None:
    expected = {"(c)(1)", *(f"(c)(2)({n})" for n in
                            ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")),
                *(f"(c)(3)({n})" for n in ("i", "ii", "iii", "iv")), "(c)(4)"}  # fmt: skip
    assert set(PARAGRAPHS) == expected


def test_the_electronic_address_only_when_the_agency_accepts_electronic_disputes() -> None:
    assert "electronically" not in _text(DATA)

    electronic = msgspec.structs.replace(DATA, agency_dispute_address="disputes@example.com")
    text = _text(electronic)
    assert "We accept disputes electronically at disputes@example.com." in text
    assert "We accept such requests electronically at disputes@example.com." in text


def test_the_printed_end_date_is_the_data_s() -> None:

    later = msgspec.structs.replace(DATA, validation_period_ends_on=date(2027, 2, 5))
    text = _text(later)
    assert text.count("February 5, 2027") == 3
    assert END not in text
