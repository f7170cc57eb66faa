"""The validation notice as a PDF, in the layout of the CFPB's model form B-1 (12 CFR part
1006, appendix B; 1006.34(d)(2): a notice substantially similar to the model complies).

Front page, as the model: the agency's and the consumer's blocks, the 1006.18(e)
statement, "Our information shows" with the itemization (left), "How can you dispute the
debt?" and "What else can you do?" (right), then below a cut line the consumer-response
form (1006.34(c)(4)) to mail back. Each disclosure is drawn from NoticeData, never from a
default: a notice that lacks a fact is not made (see service.notice_data).
"""

from __future__ import annotations

from fpdf import FPDF

from server.kit.dollars import dollars
from server.letters import pdf_kit
from server.letters.pdf_kit import FONT, LEFT, MIDDLE, PAGE_RIGHT, RIGHT_X, long_date
from server.letters.pdf_kit import bullet as _bullet
from server.letters.pdf_kit import heading as _heading
from server.letters.pdf_kit import lines as _lines
from server.letters.pdf_kit import para as _para
from server.letters.pdf_kit import text as _text
from server.letters.schemas import NoticeData

CFPB_WEBSITE = "www.cfpb.gov/debt-collection"  # 1006.34(c)(3)(iv)


def _money_row(
    pdf: FPDF, y: float, label: str, sign: str, cents: int, bold: bool, indent: float = 0
) -> float:
    width = MIDDLE - LEFT
    pdf.set_font(FONT, "B" if bold else "", 9.5)
    pdf.set_xy(LEFT + 1 + indent, y)
    pdf.multi_cell(width - 32 - indent, 4.6, _text(label), align="L")
    bottom = float(pdf.get_y())
    pdf.set_xy(MIDDLE - 31, y)
    pdf.cell(5, 4.6, _text(sign))
    pdf.cell(26, 4.6, _text(dollars(cents)), align="R")
    pdf.set_draw_color(150, 150, 150)
    pdf.line(LEFT, bottom + 0.8, MIDDLE, bottom + 0.8)
    return bottom + 2


def _itemization(pdf: FPDF, data: NoticeData, y: float) -> float:
    """1006.34(c)(2)(iii)-(ix): creditors, account number, the itemization date and the
    amounts since it, reconciling to the current amount."""
    y = _heading(pdf, LEFT, y, "Our information shows:")
    y = _para(
        pdf, LEFT, y, MIDDLE - LEFT,
        f"You had an account with {data.creditor_on_itemization_date} with account number"
        f" {data.account_number}.",
    ) + 4  # fmt: skip
    when = long_date(data.itemization_date)
    y = _money_row(pdf, y, f"As of {when}, you owed:", "", data.amount_on_itemization_date_cents,
                   False)  # fmt: skip
    pdf.set_font(FONT, "", 9.5)
    pdf.set_xy(LEFT + 1, y)
    pdf.cell(0, 4.6, _text(f"Between {when} and today:"))
    y += 5.4
    for label, sign, cents in (
        ("You were charged this amount in interest:", "+", data.interest_since_cents),
        ("You were charged this amount in fees:", "+", data.fees_since_cents),
        ("You paid or were credited this amount toward the debt:", "-",
         data.payments_and_credits_since_cents),
    ):  # fmt: skip
        y = _money_row(pdf, y, label, sign, cents, False, indent=4)
    return _money_row(pdf, y + 1, "Total amount of the debt now:", "", data.current_amount_cents,
                      True)  # fmt: skip


def _rights(pdf: FPDF, data: NoticeData, y: float) -> float:
    """1006.34(c)(3): the end date and what a dispute or an original-creditor request by
    then does, the CFPB's website, and the electronic address when the agency has one."""
    width = PAGE_RIGHT - RIGHT_X
    end = long_date(data.validation_period_ends_on)
    y = _heading(pdf, RIGHT_X, y, "How can you dispute the debt?")
    y = _bullet(pdf, RIGHT_X, y, width,
                f"**Call or write to us by {end}, to dispute all or part of the debt.** If you do"
                " not, we will assume that our information is correct.")  # fmt: skip
    electronic = (
        f" We accept disputes electronically at {data.agency_dispute_address}."
        if data.agency_dispute_address
        else ""
    )
    y = _bullet(pdf, RIGHT_X, y, width,
                f"**If you write to us by {end},** we must stop collection on any amount you"
                " dispute until we send you information that shows you owe the debt. You may"
                " use the form below or write to us without the form. You may also include"
                f" supporting documents.{electronic}")  # fmt: skip
    y = _heading(pdf, RIGHT_X, y + 2, "What else can you do?")
    electronic = (
        f" We accept such requests electronically at {data.agency_dispute_address}."
        if data.agency_dispute_address
        else ""
    )
    y = _bullet(pdf, RIGHT_X, y, width,
                "**Write to ask for the name and address of the original creditor, if different"
                f" from the current creditor.** If you write by {end}, we must stop collection"
                " until we send you that information. You may use the form below or write to"
                f" us without the form.{electronic}")  # fmt: skip
    y = _bullet(pdf, RIGHT_X, y, width,
                f"**Go to {CFPB_WEBSITE} to learn more about your rights under federal law.**"
                " For instance, you have the right to stop or limit how we contact"
                " you.")  # fmt: skip
    return _bullet(pdf, RIGHT_X, y, width, "Contact us about your payment options.")


def _box(pdf: FPDF, x: float, y: float) -> None:
    pdf.set_draw_color(0, 0, 0)
    pdf.rect(x, y + 0.9, 2.8, 2.8)


def _response_form(pdf: FPDF, data: NoticeData, y: float) -> None:
    """1006.34(c)(4): the consumer-response information, set apart below a cut line: the
    dispute prompts, the original-creditor prompt, and where to mail the form."""
    pdf.set_draw_color(0, 0, 0)
    pdf.set_dash_pattern(dash=1.2, gap=1.2)
    pdf.line(LEFT - 5, y, PAGE_RIGHT + 5, y)
    pdf.set_dash_pattern()
    pdf.set_font(FONT, "", 7.5)
    pdf.set_xy(LEFT - 5, y + 0.5)
    pdf.cell(0, 3, "cut here")
    top = y + 8
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_xy(LEFT + 15, top + 10)
    pdf.cell(0, 4.6, "Mail this form to:")
    after = _lines(pdf, LEFT + 15, top + 14.6, [data.agency_name, *data.agency_address])
    _lines(pdf, LEFT + 15, after + 18, [data.consumer_name, *data.consumer_address])
    x = RIGHT_X
    y = _heading(pdf, x, top, "How do you want to respond?")
    pdf.set_font(FONT, "I", 9.5)
    pdf.set_xy(x, y)
    pdf.cell(0, 4.6, "Check all that apply:")
    y += 7
    prompts: list[tuple[float, str, bool]] = [
        (0, "I want to dispute the debt because I think:", True),
        (6, "This is not my debt.", False),
        (6, "The amount is wrong.", False),
        (6, "Other (please describe on reverse or attach additional information).", False),
        (0, "I want you to send me the name and address of the original creditor.", True),
    ]
    for indent, text, bold in prompts:
        _box(pdf, x + indent, y)
        pdf.set_font(FONT, "B" if bold else "", 9.5)
        pdf.set_xy(x + indent + 5, y)
        pdf.multi_cell(PAGE_RIGHT - x - indent - 5, 4.6, _text(text), align="L")
        y = float(pdf.get_y()) + 2
    _box(pdf, x, y)
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_xy(x + 5, y)
    pdf.cell(38, 4.6, "I enclosed this amount:")
    pdf.rect(x + 44, y, 40, 5.6)
    pdf.set_font(FONT, "", 9.5)
    pdf.set_xy(x + 45, y + 0.4)
    pdf.cell(4, 4.6, "$")
    y += 8
    y = _para(pdf, x, y, PAGE_RIGHT - x,
              f"Make your check payable to {data.agency_name}. Include the reference number"
              f" {data.account_number}.")  # fmt: skip


def draw_notice(pdf: FPDF, data: NoticeData) -> int:
    """Add the notice's pages to `pdf` (a batch draws many in one file); returns how many."""
    first = pdf.page_no()
    pdf.add_page()
    # 1006.34(c)(1): the debt collector communication disclosure of 1006.18(e).
    y = pdf_kit.head(pdf, data)
    bottom_left = _itemization(pdf, data, y)
    bottom_right = _rights(pdf, data, y)
    _response_form(pdf, data, max(bottom_left, bottom_right, 176.0) + 6)
    return int(pdf.page_no() - first)


new_document = pdf_kit.new_document


def notice_pdf(data: NoticeData) -> tuple[bytes, int]:
    pdf = new_document()
    pages = draw_notice(pdf, data)
    return bytes(pdf.output()), pages
