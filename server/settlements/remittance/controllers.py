"""Remittance runs and statements: thin controllers over settlements.remittance."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from server.auth.guards import CurrentPrincipal, admin_only, users_only
from server.kit.errors import NotFound
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.settlements.remittance import downloads, payouts
from server.settlements.remittance import service as remittance
from server.settlements.remittance.schemas import (
    PayoutCreate,
    PayoutRead,
    RemittanceRun,
    RemittanceRunRead,
    RemittanceRunSummary,
    StatementRead,
)


@post(
    "/api/v1/remittance/run",
    operation_id="RunRemittance",
    status_code=HTTP_200_OK,
    guards=[admin_only],
    tags=["remittance"],
)
async def run_remittance(
    principal: CurrentPrincipal, data: JSONBody[RemittanceRun | None] = None
) -> RemittanceRunRead:
    """Issue every client's statements for the periods ended by `as_of` (now by default;
    a moment in the future is 422) that have none yet, as the nightly job does. Safe to
    repeat: a period is issued once."""
    as_of = data.as_of if data is not None else None
    return await remittance.run_remittance(principal, as_of)


@get(
    "/api/v1/remittance/runs",
    operation_id="ListRemittanceRuns",
    guards=[admin_only],
    tags=["remittance"],
)
async def list_runs(
    principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
) -> Page[RemittanceRunSummary]:
    """The remittance batch's finished runs (nightly, or `POST /remittance/run`), the
    latest first: as of when, how many statements each issued, when it ran."""
    return await remittance.list_runs(principal, page_request(limit, cursor))


@get("/api/v1/statements", operation_id="ListStatements", guards=[users_only], tags=["statements"])
async def list_statements(
    principal: CurrentPrincipal,
    client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Page[StatementRead]:
    """Statements the caller may see (a client its own), newest period first (then id),
    without lines."""
    return await remittance.list_statements(principal, page_request(limit, cursor), client_id)


def _statement_ref(raw: str) -> tuple[UUID, str]:
    base, dot, suffix = raw.partition(".")
    if dot and suffix not in ("csv", "pdf"):
        raise NotFound("no such statement")
    try:
        return UUID(base), suffix or "json"
    except ValueError:
        raise NotFound("no such statement") from None


# One route for `{id}`, `{id}.csv` and `{id}.pdf` (the contract's paths): Litestar's path
# parameters take whole segments, so the suffix is parsed here.
@get(
    "/api/v1/statements/{statement_id:str}",
    operation_id="GetStatement",
    guards=[users_only],
    tags=["statements"],
)
async def get_statement(principal: CurrentPrincipal, statement_id: FromPath[str]) -> Response[Any]:
    """A statement with its lines and totals; `{statement_id}.csv` downloads it as CSV and
    `{statement_id}.pdf` as a printable PDF."""
    found, kind = _statement_ref(statement_id)
    if kind == "json":
        return Response(await remittance.get_statement(principal, found))
    doc = await payouts.statement_document(principal, found)
    return downloads.statement_file(doc, kind)


def _statement_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise NotFound("no such statement") from None


@post(
    "/api/v1/statements/{statement_id:str}/payout",
    operation_id="PayOutStatement",
    guards=[admin_only],
    tags=["statements"],
)
async def pay_out_statement(
    principal: CurrentPrincipal, statement_id: FromPath[str], data: JSONBody[PayoutCreate]
) -> PayoutRead:
    """Record how and when the statement's remittance was paid out (`method` ach, check or
    wire, its `reference`, `paid_on`): 201 once per statement, 409 on a second; audited.
    The statement itself never changes; its remittance advice is
    `/api/v1/statements/{id}/remittance-advice.pdf`."""
    return await payouts.record_payout(principal, _statement_id(statement_id), data)


@get(
    "/api/v1/statements/{statement_id:str}/remittance-advice.pdf",
    operation_id="GetRemittanceAdvice",
    guards=[users_only],
    tags=["statements"],
    media_type="application/pdf",
)
async def remittance_advice(
    principal: CurrentPrincipal, statement_id: FromPath[str]
) -> Response[bytes]:
    """The payout's remittance advice as a PDF (404 until the statement is paid out)."""
    found = _statement_id(statement_id)
    doc, payout = await payouts.advice_document(principal, found)
    return downloads.advice_file(doc, payout, found)


@get(
    "/api/v1/statements/{statement_id:str}/fee-invoice.pdf",
    operation_id="GetFeeInvoice",
    guards=[users_only],
    tags=["statements"],
    media_type="application/pdf",
)
async def fee_invoice(principal: CurrentPrincipal, statement_id: FromPath[str]) -> Response[bytes]:
    """A gross client's fee invoice for the statement's period, as a PDF (404 for a net
    client, whose fees were kept off the top)."""
    found = _statement_id(statement_id)
    doc = await payouts.invoice_document(principal, found)
    return downloads.invoice_file(doc, found)


routes = [run_remittance, list_runs, list_statements, get_statement, pay_out_statement,
          remittance_advice, fee_invoice]  # fmt: skip
