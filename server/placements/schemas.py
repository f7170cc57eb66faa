from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from server.placements.statuses import AccountStatus, Channel

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
RateBps = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
HoldDays = Annotated[int, msgspec.Meta(ge=0, le=30)]
# The largest balance a client's first file may carry without its confirmation: $1.00 to
# $10,000,000,000.00.
PlausibleCents = Annotated[int, msgspec.Meta(ge=100, le=1_000_000_000_000)]
DEFAULT_MAX_PLAUSIBLE_BALANCE_CENTS = 10_000_000  # $100,000.00


class Tier(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    LEGAL = "legal"


class RemittanceCycle(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RemittanceMethod(StrEnum):
    NET = "net"
    GROSS = "gross"


class PaymentMethod(StrEnum):
    ACH = "ach"
    CARD = "card"
    CHECK = "check"
    CASH = "cash"
    OTHER = "other"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class ClientCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: ClientName
    fee_rates_bps: dict[Tier, RateBps]
    remittance_cycle: RemittanceCycle
    remittance_method: RemittanceMethod
    clearing_days: dict[PaymentMethod, HoldDays]
    authority: dict[str, Any]
    # {file kind: column map}; kinds left out use our own field names as headers.
    column_map: dict[str, Any] | None = None
    max_plausible_balance_cents: PlausibleCents = DEFAULT_MAX_PLAUSIBLE_BALANCE_CENTS


class ClientUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: ClientName | msgspec.UnsetType = msgspec.UNSET
    status: ClientStatus | msgspec.UnsetType = msgspec.UNSET
    fee_rates_bps: dict[Tier, RateBps] | msgspec.UnsetType = msgspec.UNSET
    remittance_cycle: RemittanceCycle | msgspec.UnsetType = msgspec.UNSET
    remittance_method: RemittanceMethod | msgspec.UnsetType = msgspec.UNSET
    clearing_days: dict[PaymentMethod, HoldDays] | msgspec.UnsetType = msgspec.UNSET
    authority: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    column_map: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    max_plausible_balance_cents: PlausibleCents | msgspec.UnsetType = msgspec.UNSET


class ClientRead(msgspec.Struct):
    client_id: UUID
    name: str
    status: ClientStatus
    fee_rates_bps: dict[str, int]
    remittance_cycle: RemittanceCycle
    remittance_method: RemittanceMethod
    clearing_days: dict[str, int]
    authority: dict[str, Any]
    column_map: dict[str, Any]
    max_plausible_balance_cents: int
    created_at: datetime
    updated_at: datetime


class PhoneRead(msgspec.Struct):
    e164: str
    kind: str
    status: str
    employer_forbids_calls: bool


class DebtorRead(msgspec.Struct):
    debtor_id: UUID
    first_name: str | None
    last_name: str
    date_of_birth: date | None
    ssn_last4: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    zip5: str | None
    time_zone: str | None
    emails: list[str]
    phones: list[PhoneRead]
    no_telephone: bool
    inconvenient_times: list[dict[str, Any]]


class StatusChangeRead(msgspec.Struct):
    action: str
    from_status: str
    to_status: str
    reason: str
    channel: str | None
    received_at: datetime
    created_at: datetime


class AccountSummary(msgspec.Struct):
    account_id: UUID
    client_id: UUID
    placement_id: UUID
    client_account_number: str
    debtor_name: str
    status: str
    placed_balance_cents: int
    balance_cents: int
    delinquency_date: date
    created_at: datetime


class AccountRead(msgspec.Struct):
    account_id: UUID
    client_id: UUID
    placement_id: UUID
    client_account_number: str
    original_creditor: str | None
    # Debts serviced together under this number count as one debt (12 CFR 1006.14(b)(4)).
    serviced_account_number: str | None
    tier: str
    fee_rate_bps: int
    principal_cents: int
    interest_cents: int
    fees_cents: int
    placed_balance_cents: int
    balance_cents: int
    delinquency_date: date
    charge_off_date: date | None
    last_payment_date: date | None
    statute_of_limitations_date: date | None
    status: str
    status_since: datetime
    validation_notice_sent_on: date | None
    validation_period_ends_on: date | None
    created_at: datetime
    debtor: DebtorRead
    status_history: list[StatusChangeRead]
    # Filled by the other domains' services (payments, calls, scores) as they land.
    sections: dict[str, Any] = {}


class StatusActionRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    channel: Channel | None = None
    received_at: datetime | None = None
    status: AccountStatus | None = None


class PlacementRead(msgspec.Struct):
    placement_id: UUID
    client_id: UUID
    kind: str
    tier: str
    file_name: str | None
    status: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_warned: int
    progress: int  # percent of the file's bytes processed
    fee_rate_bps: int
    byte_size: int
    sha256: str
    created_at: datetime
    finished_at: datetime | None = None
    rejected_reason: str | None = None
    # The acknowledgement of a new-business file: accounts placed and their balances
    # summed (null for other kinds of file, which place no accounts).
    accounts_placed: int | None = None
    balance_placed_cents: int | None = None
    # Why an `awaiting_confirmation` placement waits for the client (null otherwise).
    held_reason: str | None = None


class PlacementErrorRead(msgspec.Struct):
    line: int
    column: str | None
    field: str | None
    code: str
    reason: str
    severity: str


class PlacementErrorPage(msgspec.Struct):
    items: list[PlacementErrorRead]
    next_cursor: str | None


class StatusTotalsRead(msgspec.Struct):
    """A client's accounts in one status: how many, placed and still owed."""

    status: str
    accounts: int
    placed_balance_cents: int
    balance_cents: int
