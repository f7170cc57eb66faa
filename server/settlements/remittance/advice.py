"""The documents beside a statement: the remittance advice of its payout (what was sent,
how, when) and, for a gross client, the fee invoice (the agency's fees on the period's
movements, owed by the client). Each is its own PDF: the statement never changes."""

from __future__ import annotations

from server.kit.dollars import dollars as money
from server.settlements.remittance.periods import day_label
from server.settlements.remittance.schemas import PayoutRead
from server.settlements.remittance.statements import (
    METHOD_LABELS,
    StatementDocument,
    facts,
    new_pdf,
    percent_of,
    sums,
    table,
)


def remittance_advice_pdf(doc: StatementDocument, payout: PayoutRead) -> bytes:
    statement, t = doc.statement, doc.statement.totals
    pdf = new_pdf(doc.agency_name, "Remittance advice")
    facts(pdf, [
        ("To", doc.client_name),
        ("Amount paid", money(payout.amount_cents)),
        ("Paid on", day_label(payout.paid_on)),
        ("Method", METHOD_LABELS.get(payout.method, payout.method)),
        ("Reference", payout.reference),
        ("For statement", f"{doc.period} ({statement.cycle})"),
        ("Statement id", str(statement.statement_id)),
    ], label_width=36)  # fmt: skip
    sums(pdf, "The statement's totals", [
        ("Collected", t.collected_cents),
        ("Agency fees", t.fees_cents),
        ("Carried in (due from client)", t.carried_in_cents),
        ("Remitted to client", t.remit_cents),
        ("Carried forward (due from client)", t.carried_out_cents),
    ])  # fmt: skip
    return bytes(pdf.output())


_FEE_COLUMNS = [
    ("Account no.", 30, False), ("Debtor", 44, False), ("Date", 24, False),
    ("Amount", 26, True), ("Fee rate", 18, True), ("Fee", 26, True),
]  # fmt: skip


def fee_invoice_pdf(doc: StatementDocument) -> bytes:
    """A gross client's invoice: one line per movement with its fee (a returned payment's
    fee credited back), totalling the statement's invoiced fees."""
    statement = doc.statement
    pdf = new_pdf(doc.agency_name, "Fee invoice")
    facts(pdf, [
        ("Bill to", doc.client_name),
        ("Period", f"{doc.period} ({statement.cycle})"),
        ("Invoice no.", f"FEE-{str(statement.statement_id)[:8].upper()}"),
        ("Statement id", str(statement.statement_id)),
    ])  # fmt: skip
    pdf.ln(3)
    table(
        pdf,
        _FEE_COLUMNS,
        (
            [doc.number(line), doc.debtor(line), day_label(line.moved_on),
             money(line.collected_cents), f"{percent_of(line.fee_rate_bps)}%",
             money(line.fee_cents)]
            for line in statement.lines or []
        ),
    )  # fmt: skip
    sums(pdf, "Amount due", [("Fees invoiced", statement.totals.invoiced_fees_cents)])
    return bytes(pdf.output())
