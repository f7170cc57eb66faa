"""Request and response bodies of the dispatcher and the work queues."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class DispatchRead(msgspec.Struct):
    scored: int
    queued: int


class ScoreRead(msgspec.Struct):
    """An account's score and its parts (see server/dispatch/scoring.py)."""

    account_id: UUID
    score: int
    expected_recovery_cents: int
    age_permille: int
    contact_permille: int
    balance_permille: int
    priority: int
    scored_at: datetime


class ScorePartRead(msgspec.Struct):
    part: str
    value: float
    sentence: str


class ScoreSection(ScoreRead):
    """The account detail's score: the last one the dispatcher stored, and its factors
    in words as the account's facts stand when it is read (a change since the last
    rescore shows in them first)."""

    parts: list[ScorePartRead]


class QueueAccount(msgspec.Struct):
    account_id: UUID
    client_id: UUID
    debtor_id: UUID
    balance_cents: int
    phone: str | None
    # Every workable account of the person in this queue, best first; a call may be
    # about all of them.
    account_ids: list[UUID]


class BlockedBy(msgspec.Struct):
    """A rule that refused people a claim looked at, and how many of them."""

    rule: str
    people: int


class NextAccountRead(msgspec.Struct):
    account: QueueAccount | None
    lease_expires_at: datetime | None = None
    # When nothing is found, why: the soonest moment one of the people looked at becomes
    # callable, how many people were looked at (my queue's, then my portfolios' in no
    # queue), and the rules that refused them (a person refused on several accounts or
    # numbers counts once for each rule).
    next_callable_at: datetime | None = None
    looked_at: int | None = None
    blocked: list[BlockedBy] | None = None


class ReleaseRequest(msgspec.Struct, forbid_unknown_fields=True):
    account_id: UUID


class ReleaseRead(msgspec.Struct):
    released: bool


class QueueAccountLine(msgspec.Struct):
    account_id: UUID
    client_account_number: str
    # The debtor's name as the account's client knows them.
    debtor_name: str
    balance_cents: int


class QueueItemRead(msgspec.Struct):
    debtor_id: UUID
    rank: int
    priority: int
    best_score: int
    account_ids: list[UUID]
    leased_until: datetime | None
    leased_account_id: UUID | None
    queued_at: datetime
    # Supervisors see why each account is where it is.
    scores: list[ScoreRead] | None = None
    # The item's accounts the reader may see, and their balances together.
    accounts: list[QueueAccountLine] = []
    balance_cents: int = 0
    # Whether the rules allow a call now on one of the accounts, by any of the person's
    # numbers, as `next` judges it; else the first account's rule and the soonest time.
    callable_now: bool | None = None
    rule: str | None = None
    next_callable_at: datetime | None = None


class QueueRead(msgspec.Struct):
    collector_id: UUID
    capacity: int | None
    items: list[QueueItemRead]
    next_cursor: str | None = None
