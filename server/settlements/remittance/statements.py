"""A statement as a bookkeeper files it: CSV (one row per line, then the totals) and PDF.

Each line names what a bookkeeper reconciles by: the client's own account number, the
debtor, the payment's received and cleared dates, its method, amount, fee rate, fee and
net, in dollars; the period in the agency's local dates. The CSV keeps its first columns
as integrations read them (ids, ISO dates, integer cents) and adds the same facts under
human names after them. Numbers stay numbers (summable, never formula-escaped); every
text cell goes through csv_export's escaping, since names are the client's own text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from fpdf import FPDF

from server.kit.clock import local_date
from server.kit.csv_export import csv_line, csv_stream
from server.kit.dollars import dollars as money
from server.settlements.remittance.periods import day_label
from server.settlements.remittance.schemas import StatementLineRead, StatementRead

CSV_HEADER = (
    "statement_id", "client", "period_start", "period_end", "row", "kind", "movement_id",
    "payment_id", "account_id", "moved_on", "fee_rate_bps", "collected_cents",
    "gross_cents", "fee_cents", "net_cents",
    # Human-named, for people and spreadsheets (the columns above stay as they were).
    "Period", "Client account number", "Debtor", "Movement", "Method", "Received date",
    "Cleared date", "Returned date", "Amount $", "Fee rate %", "Fee $", "Net $",
)  # fmt: skip
LINE_LABELS = {
    "agency_payment": "Payment to agency",
    "direct_payment": "Payment direct to client",
    "reversal": "Returned payment",
}
METHOD_LABELS = {"ach": "ACH", "card": "Card", "check": "Check", "cash": "Cash",
                 "other": "Other", "wire": "Wire"}  # fmt: skip


@dataclass(frozen=True)
class StatementDocument:
    """A statement with what its documents name: the client, the period in words, and
    each line's account number and debtor (by our account id)."""

    statement: StatementRead
    client_name: str
    agency_name: str
    period: str
    agency_tz: str
    account_numbers: dict[UUID, str] = field(default_factory=dict)
    debtor_names: dict[UUID, str] = field(default_factory=dict)

    def number(self, line: StatementLineRead) -> str:
        return self.account_numbers.get(line.account_id, "")

    def debtor(self, line: StatementLineRead) -> str:
        return self.debtor_names.get(line.account_id, "")


def usd(cents: int) -> Decimal:
    """Cents as a dollar number for a CSV cell: 1234 -> 12.34 (exact, never a float)."""
    return Decimal(cents).scaleb(-2)


def percent_of(bps: int) -> Decimal:
    return Decimal(bps).scaleb(-2)


def _rows(doc: StatementDocument) -> Iterable[list[Any]]:
    statement = doc.statement
    head = [statement.statement_id, doc.client_name, statement.period_start.isoformat(),
            statement.period_end.isoformat()]  # fmt: skip
    for line in statement.lines or []:
        returned = line.moved_on.isoformat() if line.kind == "reversal" else ""
        yield [*head, "line", line.kind, line.movement_id, line.payment_id, line.account_id,
               line.moved_on.isoformat(), line.fee_rate_bps, line.collected_cents,
               line.gross_cents, line.fee_cents, line.net_cents,
               doc.period, doc.number(line), doc.debtor(line),
               LINE_LABELS.get(line.kind, line.kind),
               METHOD_LABELS.get(line.method, line.method), line.received_on.isoformat(),
               line.cleared_on.isoformat(), returned, usd(line.collected_cents),
               percent_of(line.fee_rate_bps), usd(line.fee_cents), usd(line.net_cents)]  # fmt: skip
    t = statement.totals
    blank = ["", "", "", "", "", "", ""]
    yield [*head, "total", statement.method, "", "", "", "", "", t.collected_cents,
           t.gross_cents, t.fees_cents, t.net_cents,
           doc.period, "", "", "Total", *blank[:4], usd(t.collected_cents), "",
           usd(t.fees_cents), usd(t.net_cents)]  # fmt: skip
    for label, value, words in totals_carried(statement):
        yield [*head, label, "", "", "", "", "", "", "", "", "", value,
               doc.period, "", "", words, *blank, usd(value)]  # fmt: skip


def totals_carried(statement: StatementRead) -> list[tuple[str, int, str]]:
    """The rows after the total: (CSV row name, cents, words)."""
    t = statement.totals
    return [
        ("carried_in", t.carried_in_cents, "Carried in (due from client)"),
        ("remit", t.remit_cents, "Remitted to client"),
        ("carried_out", t.carried_out_cents, "Carried forward (due from client)"),
        ("invoiced_fees", t.invoiced_fees_cents, "Fees invoiced"),
    ]


async def statement_csv(doc: StatementDocument) -> AsyncIterator[bytes]:
    async def rows() -> AsyncIterator[Iterable[Any]]:
        for row in _rows(doc):
            yield row

    async for chunk in csv_stream(CSV_HEADER, rows()):
        yield chunk


def statement_csv_text(doc: StatementDocument) -> str:
    """The same CSV, whole (for tests and the CLI)."""
    return "".join(csv_line(r) for r in [list(CSV_HEADER), *_rows(doc)])


# --- PDF --------------------------------------------------------------------------------------


def new_pdf(agency_name: str, title: str, *, landscape: bool = False) -> FPDF:
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="Letter")
    # Windows-1252, not Latin-1: the core fonts then draw the en dash of "Nov 23 – Nov 29"
    # and curly quotes; a name outside it is shown with replacements rather than failing.
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, text(agency_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def text(value: str) -> str:
    return value.encode("windows-1252", "replace").decode("windows-1252")


def facts(pdf: FPDF, pairs: Iterable[tuple[str, str]], label_width: float = 34) -> None:
    for label, value in pairs:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(label_width, 6, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, text(value), new_x="LMARGIN", new_y="NEXT")


def table(
    pdf: FPDF, columns: Sequence[tuple[str, float, bool]], rows: Iterable[list[str]], size: int = 8
) -> None:
    """A table: (title, width, right-aligned) per column; the header repeats on each page."""

    def header() -> None:
        pdf.set_font("Helvetica", "B", size)
        for title, width, right in columns:
            pdf.cell(width, 6, title, border="B", align="R" if right else "L")
        pdf.ln()
        pdf.set_font("Helvetica", "", size)

    header()
    for row in rows:
        if pdf.will_page_break(5):
            pdf.add_page()
            header()
        for (_, width, right), value in zip(columns, row, strict=True):
            cell = text(value)
            while len(cell) > 1 and pdf.get_string_width(cell) > width - 1:
                cell = cell[:-2] + "…"
            pdf.cell(width, 5, text(cell), align="R" if right else "L")
        pdf.ln()


def sums(pdf: FPDF, title: str, rows: Iterable[tuple[str, int]]) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, cents in rows:
        pdf.cell(80, 6, label)
        pdf.cell(40, 6, money(cents), align="R", new_x="LMARGIN", new_y="NEXT")


_LINE_COLUMNS = [
    ("Account no.", 30, False), ("Debtor", 42, False), ("Movement", 40, False),
    ("Method", 13, False), ("Received", 22, False), ("Cleared", 22, False),
    ("Amount", 23, True), ("Fee rate", 15, True), ("Fee", 22, True), ("Net", 23, True),
]  # fmt: skip


def _movement(line: StatementLineRead) -> str:
    if line.kind == "reversal":
        return f"Returned {day_label(line.moved_on)}"
    return LINE_LABELS.get(line.kind, line.kind)


def statement_pdf(doc: StatementDocument) -> bytes:
    statement, t = doc.statement, doc.statement.totals
    pdf = new_pdf(doc.agency_name, "Remittance statement", landscape=True)
    facts(pdf, [
        ("Client", doc.client_name),
        ("Period", f"{doc.period} ({statement.cycle})"),
        ("Method", "net (fees kept)" if statement.method == "net" else "gross (fees invoiced)"),
        ("Statement", str(statement.statement_id)),
        ("Issued", day_label(local_date(statement.created_at, doc.agency_tz))),
    ])  # fmt: skip
    pdf.ln(3)
    table(
        pdf,
        _LINE_COLUMNS,
        (
            [doc.number(line), doc.debtor(line), _movement(line),
             METHOD_LABELS.get(line.method, line.method), day_label(line.received_on),
             day_label(line.cleared_on), money(line.collected_cents),
             f"{percent_of(line.fee_rate_bps)}%", money(line.fee_cents), money(line.net_cents)]
            for line in statement.lines or []
        ),
    )  # fmt: skip
    if not statement.lines:
        pdf.cell(0, 6, "No movements in this period.", new_x="LMARGIN", new_y="NEXT")
    summary = [
        ("Collected", t.collected_cents),
        ("Agency fees", t.fees_cents),
        ("Net of fees", t.net_cents),
    ]
    if statement.method == "gross":
        summary.append(("Held by the agency (gross)", t.gross_cents))
    summary += [(words, cents) for name, cents, words in totals_carried(statement)
                if name != "invoiced_fees" or statement.method == "gross"]  # fmt: skip
    sums(pdf, "Totals", summary)
    return bytes(pdf.output())
