"""An offer's terms without a database: whom each band waits for, when the money is due,
which offers are pending, and the shape of the terms a request makes. (The client's grace
days are read by the nightly sweep's SQL: services/test_offers.py holds a plan to them day
by day.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from server.clients.authority import Band
from server.kit.errors import InvalidInput
from server.settlements import offer_terms
from server.settlements.authority import Installment, LumpSum, Plan
from server.settlements.schemas import (
    InstallmentIn,
    InstallmentRead,
    OfferCreate,
    OfferKind,
    OfferRead,
    OfferStatus,
)


def test_a_lump_sum_is_due_thirty_days_after_its_acceptance() -> None:
    accepted = date(2026, 1, 15)
    assert offer_terms.due_on(OfferKind.LUMP_SUM, accepted, []) == date(2026, 2, 14)


def test_a_plan_is_due_on_its_last_instalment() -> None:
    schedule = [
        InstallmentRead(seq=1, due_date=date(2026, 2, 1), amount_cents=5_000),
        InstallmentRead(seq=2, due_date=date(2026, 3, 1), amount_cents=5_000),
    ]
    assert offer_terms.due_on(OfferKind.PLAN, date(2026, 1, 15), schedule) == date(2026, 3, 1)


def test_each_band_waits_for_its_decider() -> None:
    assert offer_terms.STATUS_OF_BAND == {
        Band.COLLECTOR: OfferStatus.ACCEPTED,
        Band.SUPERVISOR: OfferStatus.PENDING_SUPERVISOR,
        Band.CLIENT: OfferStatus.PENDING_CLIENT,
    }
    assert {OfferStatus.PENDING_SUPERVISOR, OfferStatus.PENDING_CLIENT} == offer_terms.PENDING


def test_the_terms_of_a_lump_sum_and_of_a_plan() -> None:
    offered = date(2026, 1, 15)
    lump = OfferCreate(kind=OfferKind.LUMP_SUM, amount_cents=70_000)
    assert offer_terms.terms_of(lump, offered) == LumpSum(70_000)
    plan = OfferCreate(
        kind=OfferKind.PLAN,
        amount_cents=10_000,
        installments=[
            InstallmentIn(due_date=date(2026, 2, 1), amount_cents=5_000),
            InstallmentIn(due_date=date(2026, 3, 1), amount_cents=5_000),
        ],
    )
    assert offer_terms.terms_of(plan, offered) == Plan(
        10_000,
        offered,
        (Installment(date(2026, 2, 1), 5_000), Installment(date(2026, 3, 1), 5_000)),
    )


@pytest.mark.parametrize(
    ("kind", "installments", "reason"),
    [
        (OfferKind.LUMP_SUM, [InstallmentIn(date(2026, 2, 1), 5_000)], "a lump sum has no"),
        (OfferKind.PLAN, None, "a plan needs its instalments"),
        (OfferKind.PLAN, [], "a plan needs its instalments"),
    ],
)
def test_terms_of_the_wrong_shape_are_refused_on_the_field(
    kind: OfferKind, installments: list[InstallmentIn] | None, reason: str
) -> None:
    data = OfferCreate(kind=kind, amount_cents=5_000, installments=installments)
    with pytest.raises(InvalidInput) as refused:
        offer_terms.terms_of(data, date(2026, 1, 15))
    assert refused.value.details[0].field == "installments"
    assert reason in refused.value.details[0].reason


def _offer(kind: OfferKind, status: OfferStatus, paid: int, *amounts: int) -> OfferRead:
    schedule = [InstallmentRead(seq=i + 1, due_date=date(2026, 2, 1 + 7 * i), amount_cents=a)
                for i, a in enumerate(amounts)]  # fmt: skip
    now = datetime(2026, 1, 15, tzinfo=UTC)
    return OfferRead(
        offer_id=uuid4(), account_id=uuid4(), client_id=uuid4(), kind=kind,
        amount_cents=sum(amounts) if amounts else 50_000, installments=schedule,
        balance_cents=100_000, band="collector", band_reasons=[], status=status,
        offered_on=date(2026, 1, 15), created_by=uuid4(), created_at=now, decided_by=None,
        decided_role=None, decided_at=None, decision_reason=None, accepted_at=now,
        due_on=schedule[-1].due_date if schedule else date(2026, 2, 14), paid_cents=paid,
        closed_at=None, closed_reason=None, updated_at=now, reason=None,
    )  # fmt: skip


def test_the_next_money_due_is_the_first_instalment_not_yet_covered() -> None:
    plan = OfferKind.PLAN
    accepted = OfferStatus.ACCEPTED
    assert offer_terms.next_due(_offer(plan, accepted, 0, 10_000, 10_000)) == (
        date(2026, 2, 1),
        10_000,
    )
    # A payment beyond the first instalment goes to the second.
    assert offer_terms.next_due(_offer(plan, accepted, 12_500, 10_000, 10_000)) == (
        date(2026, 2, 8), 7_500,
    )  # fmt: skip
    assert offer_terms.next_due(_offer(plan, accepted, 10_000, 10_000, 10_000)) == (
        date(2026, 2, 8), 10_000,
    )  # fmt: skip
    assert offer_terms.next_due(_offer(plan, accepted, 20_000, 10_000, 10_000)) is None
    assert offer_terms.next_due(_offer(plan, OfferStatus.PENDING_SUPERVISOR, 0, 10_000)) is None
    lump = _offer(OfferKind.LUMP_SUM, accepted, 20_000)
    assert offer_terms.next_due(lump) == (date(2026, 2, 14), 30_000)
