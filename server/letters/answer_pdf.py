"""The letters that answer a dispute, drawn with the other letters' kit: the verification
(what the creditor verified, the itemization as the validation notice prints it, and the
documents enclosed, by name), the original creditor's name and address, and the notice
that a dispute is duplicative (12 CFR 1006.38(d)(2)(ii): it says so, gives the reasons
briefly, and refers to the earlier response). Each prints only its kept data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpdf import FPDF

from server.kit.dollars import dollars
from server.letters import pdf_kit
from server.letters.pdf_kit import LEFT, amount_row, long_date, questions, room, say
from server.letters.schemas import DuplicateDisputeData, OriginalCreditorData, VerificationData

DOCUMENT_WORDS = {
    "itemized_statement": "Itemized statement",
    "contract": "Contract",
    "signed_application": "Signed application",
    "other": "Document",
}


def _about(data: Any) -> str:
    return (
        f"This letter is about your account with reference number {data.account_number}."
        f" The creditor is {data.current_creditor}."
    )


def draw_verification(pdf: FPDF, data: VerificationData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on)
    y = pdf_kit.heading(pdf, LEFT, y, "Verification of the debt you disputed")
    y = say(
        pdf, y,
        f"{_about(data)} On {long_date(data.dispute_received_on)}, we received your dispute"
        f" of this debt. {data.current_creditor} has verified the debt, and this letter"
        " gives you that verification.",
    ) + 4  # fmt: skip
    item = data.itemization
    if item is not None:
        y = say(
            pdf, y,
            f"As of {long_date(item.itemization_date)}, you owed"
            f" {item.creditor_on_itemization_date}:",
        ) + 2  # fmt: skip
        y = amount_row(pdf, y, f"Owed as of {long_date(item.itemization_date)}",
                       item.amount_on_itemization_date_cents)  # fmt: skip
        y = amount_row(pdf, y, "Interest since then (+)", item.interest_since_cents)
        y = amount_row(pdf, y, "Fees since then (+)", item.fees_since_cents)
        y = amount_row(pdf, y, "Payments or credits since then (-)",
                       item.payments_and_credits_since_cents)  # fmt: skip
        y = amount_row(pdf, y, "Total amount of the debt now", item.current_amount_cents,
                       bold=True) + 4  # fmt: skip
    else:
        y = amount_row(pdf, y, "Total amount of the debt now", data.balance_cents, bold=True) + 4
    if data.enclosures:
        y = room(pdf, y, 12, data)
        y = say(pdf, y, "**Enclosed** are the documents the creditor provided:") + 1
        for n, enclosure in enumerate(data.enclosures, start=1):
            y = room(pdf, y, 6, data)
            words = DOCUMENT_WORDS.get(enclosure.kind, "Document")
            y = pdf_kit.para(pdf, LEFT + 4, y, 176, f"{n}. {words}: {enclosure.file_name}") + 1
        y += 3
    y = room(pdf, y, 16, data)
    questions(pdf, y, data)


def draw_original_creditor(pdf: FPDF, data: OriginalCreditorData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on)
    y = pdf_kit.heading(pdf, LEFT, y, "The name and address of the original creditor")
    y = say(
        pdf, y,
        f"{_about(data)} On {long_date(data.dispute_received_on)}, you asked us for the name"
        " and address of the original creditor of this debt. They are:",
    ) + 2  # fmt: skip
    block = [data.original_creditor_name, *data.original_creditor_address]
    y = pdf_kit.lines(pdf, LEFT + 6, y, block) + 5
    y = say(pdf, y, f"The amount of the debt today is {dollars(data.balance_cents)}.") + 3
    questions(pdf, y, data)


def draw_duplicate_dispute(pdf: FPDF, data: DuplicateDisputeData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on)
    y = pdf_kit.heading(pdf, LEFT, y, "Your dispute repeats one we already answered")
    answered = (
        f", and we mailed our response on {long_date(data.earlier_answered_on)}"
        if data.earlier_answered_on is not None
        else ", and we mailed our response to it"
    )
    y = say(
        pdf, y,
        f"{_about(data)} On {long_date(data.dispute_received_on)}, we received a dispute of"
        " this debt. **We have determined that it is duplicative**: it is substantially the"
        f" same as the dispute we received on {long_date(data.earlier_received_on)}"
        f"{answered}, and it brings no new and material information.",
    ) + 3  # fmt: skip
    y = say(pdf, y, f"**Our reasons:** {data.reason}") + 3
    y = say(
        pdf, y,
        "Please refer to our earlier response, which answers this dispute. If you have new"
        " information that supports your dispute, send it to us at the address above.",
    ) + 3  # fmt: skip
    questions(pdf, y, data)


DRAW: dict[str, Callable[[FPDF, Any], None]] = {
    "verification": draw_verification,
    "original_creditor": draw_original_creditor,
    "duplicate_dispute": draw_duplicate_dispute,
}
