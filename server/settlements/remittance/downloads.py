"""A statement's documents as the responses that download them (the API's, and the
pages' that sign in by cookie): the statement as CSV or PDF, the remittance advice of
its payout and a gross client's fee invoice, each an attachment named for its period."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response
from litestar.response import Stream

from server.settlements.remittance import advice, statements
from server.settlements.remittance.schemas import PayoutRead
from server.settlements.remittance.statements import StatementDocument


def attachment(file_name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{file_name}"'}


def pdf(content: bytes, file_name: str) -> Response[bytes]:
    return Response(content, media_type="application/pdf", headers=attachment(file_name))


def statement_file(doc: StatementDocument, kind: str) -> Response[Any]:
    """`kind` "csv" (streamed) or "pdf"."""
    found = doc.statement
    name = f"statement-{found.period_end.date().isoformat()}-{found.statement_id}.{kind}"
    if kind == "csv":
        return Stream(
            statements.statement_csv(doc),
            media_type="text/csv; charset=utf-8",
            headers=attachment(name),
        )
    return pdf(statements.statement_pdf(doc), name)


def advice_file(doc: StatementDocument, payout: PayoutRead, statement_id: UUID) -> Response[bytes]:
    return pdf(advice.remittance_advice_pdf(doc, payout), f"remittance-advice-{statement_id}.pdf")


def invoice_file(doc: StatementDocument, statement_id: UUID) -> Response[bytes]:
    return pdf(advice.fee_invoice_pdf(doc), f"fee-invoice-{statement_id}.pdf")
