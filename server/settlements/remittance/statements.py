"""A statement as a bookkeeper files it: CSV (one row per line, then the totals) and PDF.

Amounts are written as decimal currency text in the PDF and as integer cents in the CSV,
where numbers stay numbers (summable, never formula-escaped); every text cell goes through
csv_export's escaping, since a client's name is the client's own text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from fpdf import FPDF

from server.kit.csv_export import csv_line, csv_stream
from server.settlements.money import dollars as money
from server.settlements.remittance.schemas import StatementRead

CSV_HEADER = (
    "statement_id", "client", "period_start", "period_end", "row", "kind", "movement_id",
    "payment_id", "account_id", "moved_on", "fee_rate_bps", "collected_cents",
    "gross_cents", "fee_cents", "net_cents",
)  # fmt: skip
_LINE_LABELS = {
    "agency_payment": "Payment to agency",
    "direct_payment": "Payment direct to client",
    "reversal": "Reversal",
}


def _rows(statement: StatementRead, client_name: str) -> Iterable[list[Any]]:
    head = [statement.statement_id, client_name, statement.period_start.isoformat(),
            statement.period_end.isoformat()]  # fmt: skip
    for line in statement.lines or []:
        yield [*head, "line", line.kind, line.movement_id, line.payment_id, line.account_id,
               line.moved_on.isoformat(), line.fee_rate_bps, line.collected_cents,
               line.gross_cents, line.fee_cents, line.net_cents]  # fmt: skip
    t = statement.totals
    yield [*head, "total", statement.method, "", "", "", "", "", t.collected_cents,
           t.gross_cents, t.fees_cents, t.net_cents]  # fmt: skip
    for label, value in (
        ("carried_in", t.carried_in_cents),
        ("remit", t.remit_cents),
        ("carried_out", t.carried_out_cents),
        ("invoiced_fees", t.invoiced_fees_cents),
    ):
        yield [*head, label, "", "", "", "", "", "", "", "", "", value]


async def statement_csv(statement: StatementRead, client_name: str) -> AsyncIterator[bytes]:
    async def rows() -> AsyncIterator[Iterable[Any]]:
        for row in _rows(statement, client_name):
            yield row

    async for chunk in csv_stream(CSV_HEADER, rows()):
        yield chunk


def statement_csv_text(statement: StatementRead, client_name: str) -> str:
    """The same CSV, whole (for tests and the CLI)."""
    return "".join(csv_line(r) for r in [list(CSV_HEADER), *_rows(statement, client_name)])


def _latin1(text: str) -> str:
    # The PDF core fonts are Latin-1; a name outside it is shown with replacements rather
    # than failing the download.
    return text.encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: StatementRead, client_name: str, agency_name: str) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _latin1(agency_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, "Remittance statement", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    start, end = statement.period_start, statement.period_end
    for label, value in (
        ("Client", client_name),
        ("Statement", str(statement.statement_id)),
        ("Period", f"{start.isoformat()} to {end.isoformat()} ({statement.cycle})"),
        ("Method", "net (fees kept)" if statement.method == "net" else "gross (fees invoiced)"),
        ("Issued", statement.created_at.isoformat(timespec="seconds")),
    ):
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(28, 6, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (22, 46, 30, 14, 26, 26, 26)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(
        widths, ("Date", "Movement", "Account", "Rate", "Gross", "Fee", "Net"), strict=True
    ):
        pdf.cell(width, 6, title, border="B", align="R" if width == 26 else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in statement.lines or []:
        cells = (
            line.moved_on.isoformat(),
            _LINE_LABELS.get(line.kind, line.kind),
            str(line.account_id)[:8],
            f"{line.fee_rate_bps / 100:.2f}%",
            money(line.gross_cents),
            money(line.fee_cents),
            money(line.net_cents),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, text, align="R" if width == 26 else "L")
        pdf.ln()
    t = statement.totals
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    summary = [
        ("Collected", t.collected_cents),
        ("Held by the agency (gross)", t.gross_cents),
        ("Agency fees", t.fees_cents),
        ("Net of fees", t.net_cents),
        ("Carried in (due from client)", t.carried_in_cents),
        ("Remitted to client", t.remit_cents),
        ("Carried forward (due from client)", t.carried_out_cents),
    ]
    if statement.method == "gross":
        summary.append(("Fees invoiced", t.invoiced_fees_cents))
    for label, cents in summary:
        pdf.cell(80, 6, label)
        pdf.cell(40, 6, money(cents), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
