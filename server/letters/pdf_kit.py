"""What every letter's PDF is drawn with: the page, the text helpers, the agency's and the
consumer's blocks, and the 1006.18(e) statement. The validation notice (notice_pdf.py) and
the other letters (letter_pdf.py) share them, so a letter looks like the notice and says
who it is from the same way."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from fpdf import FPDF

from server.kit.dollars import dollars

LEFT, MIDDLE, RIGHT_X, PAGE_RIGHT = 15.0, 104.0, 112.0, 201.0
FONT = "Helvetica"
LINE = 4.6


class Addressed(Protocol):
    """The facts every letter's head prints (each letter's data has them)."""

    @property
    def agency_name(self) -> str: ...
    @property
    def agency_address(self) -> list[str]: ...
    @property
    def agency_phone(self) -> str | None: ...
    @property
    def consumer_name(self) -> str: ...
    @property
    def consumer_address(self) -> list[str]: ...
    @property
    def account_number(self) -> str: ...
    @property
    def current_creditor(self) -> str: ...


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def text(value: str) -> str:
    # The core fonts are Latin-1; a character outside it is replaced, not a failed letter.
    return value.replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")


def lines(pdf: FPDF, x: float, y: float, rows: list[str], size: float = 9.5) -> float:
    pdf.set_font(FONT, "", size)
    for row in rows:
        pdf.set_xy(x, y)
        pdf.cell(0, LINE, text(row))
        y += LINE
    return y


def para(pdf: FPDF, x: float, y: float, width: float, body: str, size: float = 9.5) -> float:
    pdf.set_font(FONT, "", size)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, LINE, text(body), markdown=True, align="L", new_x="LMARGIN",
                   new_y="NEXT")  # fmt: skip
    return float(pdf.get_y())


def bullet(pdf: FPDF, x: float, y: float, width: float, body: str) -> float:
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(x, y + 0.3)
    pdf.cell(3, LINE, chr(149))  # a bullet in the core fonts' encoding
    return para(pdf, x + 3.5, y, width - 3.5, body) + 1.6


def heading(pdf: FPDF, x: float, y: float, title: str) -> float:
    pdf.set_font(FONT, "B", 12.5)
    pdf.set_xy(x, y)
    pdf.cell(0, 6, text(title))
    return y + 8


def debt_collector_statement(agency: str, creditor: str, *, collecting: bool = True) -> str:
    """12 CFR 1006.18(e): the initial communication says the collector is attempting to
    collect a debt and any information obtained will be used for that purpose ((e)(1));
    every later one says it is from a debt collector ((e)(2)). A letter saying the debt is
    paid collects nothing, so it says only the second, which is true of it."""
    if collecting:
        return (
            f"**{agency} is a debt collector.** We are trying to collect a debt that you owe"
            f" to {creditor}. We will use any information you give us to help collect the debt."
        )
    return (
        f"**{agency} is a debt collector.** This letter is from a debt collector, about a debt"
        f" you owed to {creditor}."
    )


def head(
    pdf: FPDF, data: Addressed, *, dated: date | None = None, collecting: bool = True
) -> float:
    """The agency's block (left), the consumer's and the reference (right), the date when
    the letter has one, then the 1006.18(e) statement; returns where the body starts."""
    agency = [data.agency_name, *data.agency_address]
    if data.agency_phone:
        agency.append(data.agency_phone)
    y_left = lines(pdf, LEFT, 15, agency)
    pdf.set_font(FONT, "", 9.5)
    pdf.set_xy(RIGHT_X + 20, 15)
    pdf.cell(10, LINE, "To:")
    y_right = lines(pdf, RIGHT_X + 30, 15, [data.consumer_name, *data.consumer_address])
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_xy(RIGHT_X + 20, y_right + 1)
    pdf.cell(0, LINE, text(f"Reference: {data.account_number}"))
    y = max(y_left, y_right + 6) + 6
    if dated is not None:
        y = lines(pdf, LEFT, y, [long_date(dated)]) + 4
    pdf.set_font(FONT, "", 11.5)
    pdf.set_xy(LEFT, y)
    statement = debt_collector_statement(
        data.agency_name, data.current_creditor, collecting=collecting
    )
    pdf.multi_cell(PAGE_RIGHT - LEFT, 5.4, text(statement), markdown=True, align="L")
    return float(pdf.get_y()) + 6


def new_document() -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(LEFT, 15, 215.9 - PAGE_RIGHT)
    return pdf


WIDTH = PAGE_RIGHT - LEFT
# The lowest a line may start on a Letter page (279.4 mm tall, 15 mm margin).
BOTTOM = 279.4 - 15 - LINE


def say(pdf: FPDF, y: float, body: str) -> float:
    """A paragraph across the page."""
    return para(pdf, LEFT, y, WIDTH, body)


def questions(pdf: FPDF, y: float, data: Addressed) -> float:
    call = f"call us at {data.agency_phone} or " if data.agency_phone else ""
    return say(pdf, y, f"If you have questions, {call}write to us at the address above.") + 6


def room(pdf: FPDF, y: float, needed: float, data: Addressed) -> float:
    """Where the next block starts: on a new page, headed by whom and what it is about,
    when it would pass the bottom margin (a long plan's schedule; the batch's pages have
    no automatic breaks)."""
    if y + needed <= BOTTOM:
        return y
    pdf.add_page()
    return (
        lines(pdf, LEFT, 15, [f"{data.consumer_name}, reference {data.account_number} (continued)"])
        + 6
    )


def amount_row(pdf: FPDF, y: float, label: str, cents: int, bold: bool = False) -> float:
    pdf.set_font(FONT, "B" if bold else "", 9.5)
    pdf.set_xy(LEFT + 1, y)
    pdf.cell(110, LINE, text(label))
    pdf.cell(30, LINE, dollars(cents), align="R")
    pdf.set_draw_color(150, 150, 150)
    pdf.line(LEFT, y + LINE + 0.8, LEFT + 142, y + LINE + 0.8)
    return y + LINE + 2
