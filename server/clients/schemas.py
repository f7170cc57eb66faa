from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from server.clients.column_map import FileKind

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
RateBps = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
HoldDays = Annotated[int, msgspec.Meta(ge=0, le=30)]
# The largest balance a client's first file may carry without its confirmation: $1.00 to
# $10,000,000,000.00.
PlausibleCents = Annotated[int, msgspec.Meta(ge=100, le=1_000_000_000_000)]
DEFAULT_MAX_PLAUSIBLE_BALANCE_CENTS = 10_000_000  # $100,000.00
# Days after a promised date or an instalment's due date that a payment still keeps the
# promise or the plan: the debtor's bank may take a few business days to move the money.
# On the sixth day after the due date, unpaid, a plan is broken and a promise too.
GraceDays = Annotated[int, msgspec.Meta(ge=0, le=30)]
DEFAULT_GRACE_DAYS = 5


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


class ItemizationDate(StrEnum):
    """12 CFR 1006.34(b)(3): the reference date a client's itemization figures are stated
    at, one of five. Null on a client: unset (the notice then takes the charge-off date,
    else the last payment date: `letters.service.itemization_date`)."""

    LAST_STATEMENT = "last_statement"
    CHARGE_OFF = "charge_off"
    LAST_PAYMENT = "last_payment"
    TRANSACTION = "transaction"
    JUDGMENT = "judgment"


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
    grace_days: GraceDays = DEFAULT_GRACE_DAYS
    itemization_date: ItemizationDate | None = None


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
    grace_days: GraceDays | msgspec.UnsetType = msgspec.UNSET
    itemization_date: ItemizationDate | msgspec.UnsetType | None = msgspec.UNSET


class ColumnMapUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The column map of one kind of a client's files (its `column_map.<kind>` setting)."""

    kind: FileKind
    column_map: dict[str, Any]


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
    grace_days: int
    itemization_date: ItemizationDate | None
    created_at: datetime
    updated_at: datetime
