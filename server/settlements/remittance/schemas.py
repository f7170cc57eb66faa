"""Request and response types of remittance and statements."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class RemittanceRun(msgspec.Struct, forbid_unknown_fields=True):
    as_of: Moment | None = msgspec.field(
        default=None,
        # msgspec.field takes no description; documented on the route.
    )


class StatementTotalsRead(msgspec.Struct):
    collected_cents: int
    gross_cents: int
    fees_cents: int
    net_cents: int
    carried_in_cents: int
    remit_cents: int
    carried_out_cents: int
    invoiced_fees_cents: int


class StatementLineRead(msgspec.Struct):
    movement_kind: str
    movement_id: UUID
    kind: str
    payment_id: UUID
    account_id: UUID
    moved_on: date
    fee_rate_bps: int
    collected_cents: int
    gross_cents: int
    fee_cents: int
    net_cents: int
    # The payment's: how it was paid, the local date received, the local date it cleared
    # (for a reversal, those of the payment it reverses; `moved_on` is the date returned).
    method: str
    received_on: date
    cleared_on: date


class PayoutMethod(StrEnum):
    ACH = "ach"
    CHECK = "check"
    WIRE = "wire"


class PayoutCreate(msgspec.Struct, forbid_unknown_fields=True):
    method: PayoutMethod
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    paid_on: date


class PayoutRead(msgspec.Struct):
    payout_id: UUID
    statement_id: UUID
    client_id: UUID
    method: str
    reference: str
    paid_on: date
    amount_cents: int
    created_at: datetime


class StatementRead(msgspec.Struct):
    statement_id: UUID
    client_id: UUID
    cycle: str
    method: str
    period_start: datetime
    period_end: datetime
    line_count: int
    totals: StatementTotalsRead
    previous_statement_id: UUID | None
    as_of: datetime
    created_at: datetime
    lines: list[StatementLineRead] | None = None
    # How the remittance was paid out, once it is (the statement itself never changes).
    payout: PayoutRead | None = None


class RemittanceRunRead(msgspec.Struct):
    as_of: datetime
    statements: list[StatementRead]


class RemittanceRunSummary(msgspec.Struct):
    """A finished batch run: as of when, how many statements it issued, when it ran."""

    run_id: UUID
    as_of: datetime
    statements_issued: int
    started_at: datetime
    finished_at: datetime


class RemittedRead(msgspec.Struct):
    """Everything a client's statements remitted (and, for a gross client, invoiced)."""

    statements: int
    remit_cents: int
    invoiced_fees_cents: int
    last_period_end: datetime | None
