"""An offer's terms: what an offer is, whom it waits for, when its money is due.

Pure rules, no database: the offers service applies them. The grace after an
instalment's due date is the client's (`grace_days`, clients/schemas.py), read by the
nightly sweep's SQL.
"""

from __future__ import annotations

from datetime import date, timedelta

from server.clients.authority import Band
from server.kit.errors import InvalidInput
from server.settlements.authority import Installment, LumpSum, Plan
from server.settlements.schemas import InstallmentRead, OfferCreate, OfferKind, OfferStatus

# A lump sum is due within this many days of its acceptance; unpaid by then, it expires.
LUMP_SUM_DAYS = 30

PENDING = frozenset({OfferStatus.PENDING_SUPERVISOR, OfferStatus.PENDING_CLIENT})
STATUS_OF_BAND = {
    Band.COLLECTOR: OfferStatus.ACCEPTED,
    Band.SUPERVISOR: OfferStatus.PENDING_SUPERVISOR,
    Band.CLIENT: OfferStatus.PENDING_CLIENT,
}


def terms_of(data: OfferCreate, offered_on: date) -> LumpSum | Plan:
    if data.kind == OfferKind.LUMP_SUM:
        if data.installments:
            raise InvalidInput.field("installments", "a lump sum has no instalments")
        return LumpSum(data.amount_cents)
    if not data.installments:
        raise InvalidInput.field("installments", "a plan needs its instalments")
    return Plan(
        data.amount_cents,
        offered_on,
        tuple(Installment(i.due_date, i.amount_cents) for i in data.installments),
    )


def due_on(kind: OfferKind, accepted_on: date, installments: list[InstallmentRead]) -> date:
    if kind == OfferKind.LUMP_SUM:
        return accepted_on + timedelta(days=LUMP_SUM_DAYS)
    return installments[-1].due_date
