"""Paying a statement out, and the documents a client keeps of a statement.

A payout records how and when the agency sent a statement's remittance (ACH, check or
wire, its reference, the date): once per statement, a second is a conflict, audited. The
issued statement never changes; the payout is shown beside it and in a remittance advice
of its own."""

from __future__ import annotations

import uuid
from uuid import UUID

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import Principal
from server.clients import service as clients
from server.kit import clock, db
from server.kit.errors import Conflict, InvalidInput, NotFound
from server.kit.settings import get_settings
from server.settlements.remittance import repository
from server.settlements.remittance import service as remittance
from server.settlements.remittance.periods import period_label
from server.settlements.remittance.schemas import PayoutCreate, PayoutRead
from server.settlements.remittance.service import payout_read
from server.settlements.remittance.statements import StatementDocument
from server.settlements.repositories import reporting


async def record_payout(actor: Principal, statement_id: UUID, data: PayoutCreate) -> PayoutRead:
    """201 once per statement; a second payout of the same statement is 409."""
    statement = await remittance.get_statement(actor, statement_id)
    zone = get_settings().agency_timezone
    if data.paid_on > clock.agency_today():
        raise InvalidInput.field("paid_on", "must not be in the future")
    if data.paid_on < clock.local_date(statement.period_end, zone):
        raise InvalidInput.field("paid_on", "must not be before the statement's period ended")
    async with db.transaction():
        row = await repository.insert_payout(
            {"id": uuid.uuid4(), "statement_id": statement_id,
             "client_id": statement.client_id, "method": data.method.value,
             "reference": data.reference, "paid_on": data.paid_on,
             "amount_cents": statement.totals.remit_cents, "created_by": actor.id,
             "created_at": clock.now()}
        )  # fmt: skip
        if row is None:
            raise Conflict("the statement is paid out already", code="statement_paid_out")
        payout = payout_read(row)
        await audit.record(
            actor, "settlements.statement.paid_out", "statement", statement_id,
            client_id=statement.client_id,
            after={"method": payout.method, "reference": payout.reference,
                   "paid_on": payout.paid_on.isoformat(), "amount_cents": payout.amount_cents},
        )  # fmt: skip
    return payout


async def statement_document(actor: Principal, statement_id: UUID) -> StatementDocument:
    """A statement with its lines and what its documents name: the client, the period in
    words, each line's account number and debtor."""
    statement = await remittance.get_statement(actor, statement_id)
    client = await clients.client_settings(statement.client_id)
    ids = sorted({line.account_id for line in statement.lines or []})
    settings = get_settings()
    return StatementDocument(
        statement=statement,
        client_name=str(client["name"]),
        agency_name=settings.agency_name,
        period=period_label(statement.period_start, statement.period_end, settings.agency_timezone),
        agency_tz=settings.agency_timezone,
        account_numbers=await accounts.account_numbers(actor, ids),
        debtor_names=await reporting.debtor_names_of_accounts(statement.client_id, ids),
    )


async def advice_document(
    actor: Principal, statement_id: UUID
) -> tuple[StatementDocument, PayoutRead]:
    doc = await statement_document(actor, statement_id)
    found = await repository.payout_of(statement_id)
    if found is None:
        raise NotFound("the statement is not paid out yet")
    return doc, payout_read(found)


async def invoice_document(actor: Principal, statement_id: UUID) -> StatementDocument:
    doc = await statement_document(actor, statement_id)
    if doc.statement.method != "gross":
        raise NotFound("a net statement has no fee invoice: its fees were kept")
    return doc
