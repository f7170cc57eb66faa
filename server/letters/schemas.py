from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec


class NoticeData(msgspec.Struct, frozen=True):
    """Everything a validation notice says, as it was when the notice was made (kept with
    the letter: 12 CFR 1006.100). Amounts in cents."""

    agency_name: str
    agency_address: list[str]
    agency_phone: str | None
    # Only when the agency accepts disputes electronically (one setting).
    agency_dispute_address: str | None
    consumer_name: str
    consumer_address: list[str]
    account_number: str
    creditor_on_itemization_date: str
    current_creditor: str
    itemization_date: date
    amount_on_itemization_date_cents: int
    interest_since_cents: int
    fees_since_cents: int
    payments_and_credits_since_cents: int
    current_amount_cents: int
    validation_period_ends_on: date
    planned_mailing_on: date


class LetterBatchRead(msgspec.Struct):
    batch_id: UUID
    planned_mailing_on: date
    letter_count: int
    page_count: int
    created_at: datetime


class LetterRead(msgspec.Struct):
    letter_id: UUID
    batch_id: UUID
    account_id: UUID
    kind: str
    address_text: str
    page_count: int
    planned_mailing_on: date
    printed_period_ends_on: date | None
    created_at: datetime
    # mailed, returned, void: what the vendor reported and what followed.
    events: dict[str, date]


class LetterDetail(msgspec.Struct):
    letter: LetterRead
    # The data the letter was made from: a notice's NoticeData, a settlement offer's
    # SettlementOfferData, a plan's PlanData, a paid or settled letter's PaidData.
    data: dict[str, Any]


class ReturnRowError(msgspec.Struct):
    line: int
    field: str
    reason: str


class ReturnImportRead(msgspec.Struct):
    import_id: UUID
    rows_read: int
    mailed: int
    returned: int
    voided: int
    unchanged: int
    errors: list[ReturnRowError]


class BatchRunRead(msgspec.Struct):
    """What one run of the batch job did: the batch made (none when nothing was due) and
    the letters due that could not be made yet, by reason."""

    batch: LetterBatchRead | None
    held: dict[str, int]
    # Letters due that no longer are (an offer withdrawn, an account reopened), by reason.
    dropped: dict[str, int] = {}


class NoticeFindingRead(msgspec.Struct):
    """An account whose first communication was more than five days ago with no
    validation notice mailed (12 CFR 1006.34(a)(1)(i))."""

    account_id: UUID
    client_id: UUID
    client_account_number: str
    status: str
    first_communication_at: datetime
    days_since: int


class LetterFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What every letter but the notice prints about whom it is from and to, and about
    the account, as it was when the letter was made (kept with it: 12 CFR 1006.100)."""

    agency_name: str
    agency_address: list[str]
    agency_phone: str | None
    consumer_name: str
    consumer_address: list[str]
    account_number: str
    current_creditor: str
    planned_mailing_on: date
    balance_cents: int
    # False on a debt time-barred by the letter's receipt or of unknown limitations: the
    # letter says nothing of a lawsuit (1006.26(b); letter_rules.may_mention_suit).
    may_mention_suit: bool


class SettlementOfferData(LetterFacts, frozen=True, kw_only=True):
    """A lump sum the agency accepted: pay `amount_cents` by `deadline`."""

    offer_id: UUID
    offered_on: date
    amount_cents: int
    # The offer's own due date, and the deadline printed (never before the validation
    # period's end inside it: letter_rules.offer_deadline).
    offer_due_on: date
    deadline: date
    # Set when the letter is mailed inside the validation period.
    validation_period_ends_on: date | None


class InstallmentLine(msgspec.Struct, frozen=True):
    due_date: date
    amount_cents: int


class PlanData(LetterFacts, frozen=True, kw_only=True):
    """An instalment plan accepted: the schedule as the offer holds it."""

    offer_id: UUID
    offered_on: date
    total_cents: int
    installments: list[InstallmentLine]
    validation_period_ends_on: date | None


class PaidData(LetterFacts, frozen=True, kw_only=True):
    """The account paid in full, or settled in full by an accepted offer paid."""

    settled: bool
    paid_on: date
    # A settlement's agreed amount (None when paid in full).
    settlement_cents: int | None


class EnclosureLine(msgspec.Struct, frozen=True):
    """A client's document enclosed with a verification letter (its bytes go to the vendor
    in the batch's enclosures, `{batch_id}.zip`)."""

    document_id: UUID
    kind: str
    file_name: str
    media_type: str
    byte_size: int


class Itemization(msgspec.Struct, frozen=True):
    """The debt's itemization as the validation notice prints it (12 CFR 1006.34(c)(2))."""

    creditor_on_itemization_date: str
    itemization_date: date
    amount_on_itemization_date_cents: int
    interest_since_cents: int
    fees_since_cents: int
    payments_and_credits_since_cents: int
    current_amount_cents: int


class VerificationData(LetterFacts, frozen=True, kw_only=True):
    """The answer to a dispute (15 U.S.C. 1692g(b)): what the creditor verified, the
    itemization when the account's facts make one, and the documents enclosed."""

    dispute_received_on: date
    itemization: Itemization | None
    enclosures: list[EnclosureLine]


class OriginalCreditorData(LetterFacts, frozen=True, kw_only=True):
    """The answer to a request for the original creditor (1692g(a)(5), 1006.38(c))."""

    dispute_received_on: date
    original_creditor_name: str
    original_creditor_address: list[str]


class DuplicateDisputeData(LetterFacts, frozen=True, kw_only=True):
    """The notice that a dispute is duplicative (12 CFR 1006.38(d)(2)(ii)): the reasons,
    and the earlier response it refers to."""

    dispute_received_on: date
    reason: str
    earlier_received_on: date
    earlier_answered_on: date | None


class NoticeStateRead(msgspec.Struct):
    """Where an account's validation notice stands, from its mailing records: not yet
    mailed (none mailed, or only one voided), mailed with the period's end printed on it,
    or returned undeliverable (no period runs)."""

    account_id: UUID
    state: str
    mailed_on: date | None
    period_ends_on: date | None
    returned_on: date | None
