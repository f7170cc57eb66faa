"""The letters other than the notice, as PDFs drawn with the notice's kit (pdf_kit.py):
the settlement offer, the payment-plan confirmation, and the paid-in-full or
settled-in-full letter. Each prints only the data it was made from (schemas: the letter's
data is kept with it); what the law asks of each is decided before, in letter_rules.py:
the deadline inside the validation period (1692g(b)) and whether a lawsuit may be
mentioned at all (1006.26(b))."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fpdf import FPDF

from server.kit.dollars import dollars
from server.letters import answer_pdf, pdf_kit
from server.letters.pdf_kit import LEFT, LINE, WIDTH, amount_row, long_date, questions, room, say
from server.letters.schemas import LetterFacts, PaidData, PlanData, SettlementOfferData


def _account(data: LetterFacts) -> str:
    return (
        f"This letter is about your account with reference number {data.account_number}."
        f" The creditor is {data.current_creditor}."
    )


def _rights(pdf: FPDF, y: float, data: LetterFacts, ends_on: Any, what: str) -> float:
    """Inside the validation period: what the letter offers changes none of the rights the
    notice gave, and says until when they run (1692g(b): nothing overshadows them)."""
    if ends_on is None:
        return y
    y = room(pdf, y, 22, data)
    pdf.set_draw_color(0, 0, 0)
    top = y
    y = pdf_kit.para(
        pdf,
        LEFT + 3,
        y + 3,
        WIDTH - 6,
        f"**Your rights are not affected.** {what} does not change the rights"
        " described in our validation notice. You may still dispute all or part"
        " of the debt, or ask for the name and address of the original creditor,"
        f" by {long_date(ends_on)}.",
    )
    pdf.rect(LEFT, top, WIDTH, y - top + 3)
    return y + 8


def _how_to_pay(pdf: FPDF, y: float, data: LetterFacts) -> float:
    y = room(pdf, y, 45, data)
    y = pdf_kit.heading(pdf, LEFT, y, "How to pay")
    y = say(
        pdf,
        y,
        f"Make your check payable to {data.agency_name} and include the reference"
        f" number {data.account_number}. Mail it to:",
    )
    y = pdf_kit.lines(pdf, LEFT + 6, y + 1, [data.agency_name, *data.agency_address]) + 3
    return questions(pdf, y, data)


def draw_settlement_offer(pdf: FPDF, data: SettlementOfferData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on)
    y = pdf_kit.heading(pdf, LEFT, y, "Your settlement offer")
    y = say(pdf, y, _account(data)) + 4
    y = amount_row(pdf, y, "The balance of the debt today:", data.balance_cents)
    y = amount_row(pdf, y, "The amount we agreed to accept:", data.amount_cents, bold=True) + 4
    in_full = "payment" if data.amount_cents >= data.balance_cents else "settlement"
    y = say(
        pdf,
        y,
        f"On {long_date(data.offered_on)}, we agreed to accept"
        f" {dollars(data.amount_cents)} as {in_full} in full of this debt."
        f" **If we receive {dollars(data.amount_cents)} by"
        f" {long_date(data.deadline)}, you will owe nothing more on it.**",
    )
    y = _rights(pdf, y + 5, data, data.validation_period_ends_on, "This offer")
    _how_to_pay(pdf, y + 2, data)


def draw_plan_confirmation(pdf: FPDF, data: PlanData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on)
    y = pdf_kit.heading(pdf, LEFT, y, "Your payment plan")
    y = say(
        pdf,
        y,
        f"{_account(data)} On {long_date(data.offered_on)}, you agreed to pay it in"
        f" {len(data.installments)} payments, on these dates:",
    )
    y += 3
    count = len(data.installments)
    for n, line in enumerate(data.installments, start=1):
        y = room(pdf, y, LINE + 2, data)
        label = f"Payment {n} of {count}, due {long_date(line.due_date)}"
        y = amount_row(pdf, y, label, line.amount_cents)
    y = room(pdf, y + 1, LINE + 2, data)
    y = amount_row(pdf, y, "Total of the plan", data.total_cents, bold=True) + 4
    y = room(pdf, y, 12, data)
    done = (
        "the debt is paid in full"
        if data.total_cents >= data.balance_cents
        else f"the debt (balance today {dollars(data.balance_cents)}) is settled in full"
    )
    y = say(pdf, y, f"When every payment is made, {done}: you will owe nothing more on it.")
    y = _rights(pdf, y + 5, data, data.validation_period_ends_on, "This plan")
    _how_to_pay(pdf, y + 2, data)


def draw_paid(pdf: FPDF, data: PaidData) -> None:
    pdf.add_page()
    y = pdf_kit.head(pdf, data, dated=data.planned_mailing_on, collecting=False)
    title = "Your account is settled in full" if data.settled else "Your account is paid in full"
    y = pdf_kit.heading(pdf, LEFT, y, title)
    y = say(pdf, y, _account(data)) + 3
    if data.settled and data.settlement_cents is not None:
        said = (
            f"On {long_date(data.paid_on)}, you paid the settlement we agreed,"
            f" {dollars(data.settlement_cents)}, and we accept it as payment of the whole"
            " debt."
        )
    else:
        said = f"On {long_date(data.paid_on)}, you paid the debt in full."
    y = say(
        pdf,
        y,
        f"{said} **You owe nothing more on this account.** We will not contact"
        " you to collect it again.",
    )
    if data.may_mention_suit:
        y = say(pdf, y + 3, "No lawsuit will be brought to collect it.")
    y = say(pdf, y + 3, "Please keep this letter for your records.")
    questions(pdf, y + 3, data)


DRAW: dict[str, Callable[[FPDF, Any], None]] = {
    "settlement_offer": draw_settlement_offer,
    "plan_confirmation": draw_plan_confirmation,
    "paid_in_full": draw_paid,
    "settled_in_full": draw_paid,
    **answer_pdf.DRAW,
}


def letter_pdf(kind: str, data: Any) -> tuple[bytes, int]:
    pdf = pdf_kit.new_document()
    DRAW[kind](pdf, data)
    return bytes(pdf.output()), int(pdf.page_no())
