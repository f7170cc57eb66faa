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
from server.settlements.schemas import (
    InstallmentRead,
    OfferCreate,
    OfferKind,
    OfferRead,
    OfferStatus,
)

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


def next_due(offer: OfferRead) -> tuple[date, int] | None:
    """When the next money of an accepted offer is due, and how much: a plan's first
    instalment the payments so far do not cover (paid in schedule order, so a payment
    beyond one instalment goes to the next), what is left of it; a lump sum's deadline and
    what is left of it. None for an offer not accepted or paid in full."""
    if offer.status != OfferStatus.ACCEPTED or offer.paid_cents >= offer.amount_cents:
        return None
    if offer.kind == OfferKind.LUMP_SUM:
        assert offer.due_on is not None, "an accepted lump sum has its deadline"
        return offer.due_on, offer.amount_cents - offer.paid_cents
    scheduled = 0
    for installment in offer.installments:
        scheduled += installment.amount_cents
        if scheduled > offer.paid_cents:
            return installment.due_date, scheduled - offer.paid_cents
    return None
