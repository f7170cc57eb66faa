from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class Activity(msgspec.Struct):
    """What was done in a period: calls placed (the calls the frequency rules count),
    right-party contacts, promises to pay made and kept, payments received and their
    dollars less reversals."""

    calls_placed: int = 0
    right_party_contacts: int = 0
    promises_made: int = 0
    promises_kept: int = 0
    payments: int = 0
    collected_cents: int = 0


class PortfolioName(msgspec.Struct):
    client_id: UUID
    name: str


class CollectorView(msgspec.Struct):
    collector_id: UUID
    username: str
    active: bool
    capacity: int | None
    portfolios: list[PortfolioName]
    # People in the collector's queue, those leased to them now, and the room left.
    queued: int
    leased: int
    spare_capacity: int | None
    today: Activity


class CollectorsRead(msgspec.Struct):
    day: date
    items: list[CollectorView]


class OfferAwaiting(msgspec.Struct):
    offer_id: UUID
    account_id: UUID
    client_account_number: str | None
    debtor: str | None
    kind: str
    amount_cents: int
    balance_cents: int
    # The offer as a share of the balance it was judged against, in whole percent.
    percent_of_balance: int
    created_by: UUID
    created_at: datetime


class FindingRead(msgspec.Struct):
    call_id: UUID
    account_id: UUID
    client_account_number: str | None
    collector_id: UUID
    started_at: datetime
    rules: list[str]
    # Each rule in words, with its citation.
    explanations: list[str]


class PortfolioView(msgspec.Struct):
    client_id: UUID
    name: str
    today: Activity
    week: Activity
    offers_awaiting_supervisor: list[OfferAwaiting]
    # Calls of the week in breach of a contact rule, as judged now (at most FINDINGS_SHOWN;
    # the full list is GET /api/v1/violations).
    findings: list[FindingRead]


class PortfoliosRead(msgspec.Struct):
    day: date
    # The agency's week: Monday to the day asked for.
    week_from: date
    items: list[PortfolioView]
