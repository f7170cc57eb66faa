from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from server.clients.schemas import PaymentMethod

# Below 13 digits: an amount can never be mistaken for (or used to smuggle) a card number.
MAX_AMOUNT_CENTS = 100_000_000_000

AmountCents = Annotated[int, msgspec.Meta(gt=0, le=MAX_AMOUNT_CENTS)]
# PostgreSQL text cannot hold NUL.
_NO_NUL = r"^[^\x00]*$"
Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_NO_NUL)]
Notes = Annotated[str, msgspec.Meta(max_length=2000, pattern=_NO_NUL)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=_NO_NUL)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
ReceivedAt = Annotated[
    str,
    msgspec.Meta(
        min_length=10,
        max_length=40,
        description="A date (YYYY-MM-DD) or a time with its offset; not in the future",
        examples=["2026-11-25", "2026-11-25T14:30:00-05:00"],
    ),
]


class PaidTo(StrEnum):
    AGENCY = "agency"
    CLIENT = "client"


class PaymentCreate(msgspec.Struct, forbid_unknown_fields=True):
    amount_cents: AmountCents
    method: PaymentMethod
    paid_to: PaidTo
    received_at: ReceivedAt
    processor_reference: Reference | None = None
    notes: Notes | None = None
    offer_id: UUID | None = None


class ReversalSummary(msgspec.Struct):
    reversal_id: UUID
    reason: str
    returned_at: datetime


class PaymentRead(msgspec.Struct):
    payment_id: UUID
    account_id: UUID
    client_id: UUID
    amount_cents: int
    method: PaymentMethod
    paid_to: PaidTo
    received_on: date
    received_at: datetime | None
    cleared_on: date
    processor_reference: str | None
    notes: str | None
    offer_id: UUID | None
    fee_rate_bps: int
    # The part that paid down the balance, and the excess over it: a credit due back to
    # the debtor (refund_due).
    applied_cents: int
    credit_cents: int
    refund_due: bool
    # The running balance around the payment and what it caused (a settlement's
    # write-off), in the order payments were received: computed when read, so that a
    # payment received earlier but recorded later moves every later "balance after".
    balance_before_cents: int
    balance_after_cents: int
    # The account's status once the payment and what it caused were applied.
    account_status: str
    created_at: datetime
    reversal: ReversalSummary | None = None
    # "recalled" or "closed": received after the client took the account back or it was
    # closed. Recorded and remitted all the same (the client's next statement, at the
    # account's locked rate); never toward an offer, never a write-off.
    left_collection: str | None = None


class ReversalCreate(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    returned_at: Moment | None = None


class ReversalRead(msgspec.Struct):
    reversal_id: UUID
    payment_id: UUID
    account_id: UUID
    client_id: UUID
    amount_cents: int
    reason: str
    returned_at: datetime
    # What came off the account's outstanding credit instead of back onto its balance.
    credit_removed_cents: int
    balance_before_cents: int
    balance_after_cents: int
    account_status: str
    created_at: datetime


class Movement(msgspec.Struct):
    """One line of an account's balance history."""

    # "payment" | "reversal" | "settlement_write_off" | "write_off_undone" |
    # "client_adjustment"
    kind: str
    movement_id: UUID
    # The payment moved, or for a write-off the payment that settled the account; none
    # for a client's adjustment.
    payment_id: UUID | None
    # When it took effect (a payment received, a reversal returned, a client's adjustment
    # dated; a write-off with its payment), which orders the history; and when it was
    # recorded.
    at: datetime
    recorded_at: datetime
    # Signed: what came off the balance (+: paid or written off) or went back on (-).
    amount_cents: int
    balance_after_cents: int


class MoneySection(msgspec.Struct):
    """The `money` section of an account's detail."""

    paid_cents: int
    credit_cents: int
    refund_due: bool
    payments: list[PaymentRead]
    history: list[Movement]


# --- offers -------------------------------------------------------------------------------


class OfferKind(StrEnum):
    LUMP_SUM = "lump_sum"
    PLAN = "plan"


class OfferStatus(StrEnum):
    PENDING_SUPERVISOR = "pending_supervisor"
    PENDING_CLIENT = "pending_client"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    FULFILLED = "fulfilled"
    BROKEN = "broken"
    EXPIRED = "expired"


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class InstallmentIn(msgspec.Struct, forbid_unknown_fields=True):
    due_date: date
    amount_cents: AmountCents


class OfferCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: OfferKind
    amount_cents: AmountCents
    # A plan's schedule (1–120 instalments); a lump sum has none.
    installments: Annotated[list[InstallmentIn], msgspec.Meta(max_length=120)] | None = None
    # The collector's reason, for whoever decides an offer beyond the band (a supervisor,
    # or the client in its portal): it reaches the client, so no staff-only matters here.
    reason: Reason | None = None


class OfferDecision(msgspec.Struct, forbid_unknown_fields=True):
    decision: Decision
    reason: Reason | None = None


class OfferWithdraw(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class InstallmentRead(msgspec.Struct):
    seq: int
    due_date: date
    amount_cents: int


class OfferRead(msgspec.Struct):
    offer_id: UUID
    account_id: UUID
    client_id: UUID
    kind: OfferKind
    amount_cents: int
    installments: list[InstallmentRead]
    # The balance the band was judged against, and who may accept the offer.
    balance_cents: int
    band: str
    # Why it is beyond the collector's band, one sentence per limit it passes ("settles
    # 70 % … < the collector's 80 %"), as judged when it was made; [] inside the band;
    # null: made before the reasons were kept.
    band_reasons: list[str] | None
    status: OfferStatus
    # The collector's reason for the offer, as made (null: none was given).
    reason: str | None
    offered_on: date
    created_by: UUID
    created_at: datetime
    decided_by: UUID | None
    decided_role: str | None
    decided_at: datetime | None
    decision_reason: str | None
    accepted_at: datetime | None
    # When the money is due: a lump sum's deadline, a plan's last instalment.
    due_on: date | None
    paid_cents: int
    closed_at: datetime | None
    closed_reason: str | None
    updated_at: datetime


class BandLimitsRead(msgspec.Struct):
    lowest_settlement_cents: int
    min_percent: int
    max_installments: int
    max_months: int
    min_installment_cents: int
    sentence: str


class OffersSection(msgspec.Struct):
    """The account's offers, newest first (the API's offer list pages through them all),
    and when the live one's next money is due: its first instalment not yet covered, or
    a lump sum's deadline, with what is left of it (null: nothing due)."""

    items: list[OfferRead]
    next_due_on: date | None
    next_due_cents: int | None


class AuthorityRead(msgspec.Struct):
    """What an offer on the account may be, at its balance now: inside `collector` it is
    accepted at once (whoever makes it), inside `supervisor` it waits for a supervisor
    other than its maker, beyond that for the client."""

    balance_cents: int
    collector: BandLimitsRead
    supervisor: BandLimitsRead


# --- the client portal's dashboard ----------------------------------------------------------


class VintageRead(msgspec.Struct):
    """One placement vintage's liquidation: `collected_cents[k]` is what its accounts had
    brought in, net of reversals, by the end of the k-th month since the month they were
    placed (0 = that month), up to the current month."""

    vintage: date
    accounts: int
    placed_balance_cents: int
    collected_cents: list[int]
