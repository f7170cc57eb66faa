from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec

from server.accounts.statuses import AccountStatus, Block, Channel
from server.accounts.validation_period import ValidationState


class PhoneRead(msgspec.Struct):
    # One supplier's row of the number: the id the phone routes take.
    phone_id: UUID
    e164: str
    kind: str
    status: str
    # Since when the status holds (null: valid since the number was supplied).
    status_since: datetime | None
    employer_forbids_calls: bool
    # The client whose file gave the number (or on whose account the agency learned it);
    # null: the agency's own, shown to staff only.
    client_id: UUID | None = None
    learned_on_account_id: UUID | None = None


class PersonFields(msgspec.Struct):
    """What a client's file says about the person."""

    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    ssn_last4: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    zip5: str | None
    time_zone: str | None
    emails: list[str]


class ProfileRead(PersonFields):
    """What one client supplied about the person (client_id null: the agency's own, which
    no client is proven to have supplied), and which placements supplied and changed it."""

    client_id: UUID | None
    supplied_by_placement_id: UUID | None
    updated_by_placement_id: UUID | None
    created_at: datetime
    updated_at: datetime


class LearnedAddressRead(msgspec.Struct):
    """An address the consumer gave the agency's staff: the client of the account it was
    learned on sees it; `current` the newest, the others history."""

    address_id: UUID
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip5: str
    # From the ZIP (null: a ZIP with no zone, such as a military one).
    time_zone: str | None
    client_id: UUID
    learned_on_account_id: UUID
    channel: str
    received_at: datetime
    created_at: datetime
    current: bool


class DebtorRead(PersonFields):
    """The person as the account's client supplied them (its profile; a client sees no
    other), with the numbers the reader may see and the consumer's own requests, which
    bind every account. Staff also get `profiles`: every client's, with who supplied what."""

    debtor_id: UUID
    phones: list[PhoneRead]
    no_telephone: bool
    no_telephone_since: datetime | None
    # [{"weekdays": [0..6], "start": "HH:MM", "end": "HH:MM", "zone"?}], 0 = Monday; no
    # zone: the consumer's home clock (every address zone).
    inconvenient_times: list[dict[str, Any]]
    # Every medium the consumer refused (the telephone too), oldest first.
    refused_media: list[MediumRefusalRead]
    # The addresses the consumer gave the agency (newest first) that the reader may see.
    learned_addresses: list[LearnedAddressRead] = msgspec.field(default_factory=list)
    profiles: list[ProfileRead] | None = None


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
    # Any dispute recorded, blocking or not: the debt is described as disputed.
    disputed: bool = False
    disputed_since: datetime | None = None


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
    # Null until a notice is really mailed (the mailing sets both): never a guess.
    validation_notice_sent_on: date | None
    validation_period_ends_on: date | None
    validation_state: ValidationState
    created_at: datetime
    debtor: DebtorRead
    # Any dispute recorded (oral or late ones too, which leave collection open): the debt
    # is described as disputed (15 U.S.C. 1692e(8)); `status` disputed is the block.
    disputed: bool
    disputed_since: datetime | None
    status_history: list[StatusChangeRead]
    # The blocks in force, most severe first; `status` shows the first (or active).
    blocks: list[BlockRead]
    # Filled by the other domains' services (payments, calls, scores) as they land.
    sections: dict[str, Any] = {}


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class BankruptcyEvidence(msgspec.Struct, forbid_unknown_fields=True):
    """The case that stays collection (11 U.S.C. 362)."""

    chapter: int
    case_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    court: Name
    filing_date: date


class AttorneyEvidence(msgspec.Struct, forbid_unknown_fields=True):
    """Who represents the consumer: communication goes to them (15 U.S.C. 1692c(a)(2))."""

    name: Name
    firm: Name
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class DeceasedEvidence(msgspec.Struct, forbid_unknown_fields=True):
    date_of_death: date
    # Who acts for the estate (12 CFR 1006.2(e)); null while no one is known.
    estate_representative: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class ConsentEvidence(msgspec.Struct, forbid_unknown_fields=True):
    """The consumer's written consent to be contacted again after a written cease."""

    document_reference: Name
    document_date: date


class StatusActionRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    channel: Channel | None = None
    received_at: datetime | None = None
    status: AccountStatus | None = None
    # With `status: active`: the block it lifts (default: the one the status shows).
    lifts: Block | None = None
    # The evidence of the block the action adds or lifts; only with that action.
    bankruptcy: BankruptcyEvidence | None = None
    attorney: AttorneyEvidence | None = None
    deceased: DeceasedEvidence | None = None
    consent: ConsentEvidence | None = None


class BlockRead(msgspec.Struct):
    """A block on collection in force: what it is, since when, on what evidence."""

    block_id: UUID
    kind: str
    reason: str
    channel: str | None
    received_at: datetime
    # The evidence the action took (null for a block reported by a client's file or in
    # force before blocks were recorded: unknown is null).
    evidence: dict[str, Any] | None
    # "action", "maintenance_file" or "migration".
    source: str
    added_at: datetime


class StatusTotalsRead(msgspec.Struct):
    """A client's accounts in one status: how many, placed and still owed."""

    status: str
    accounts: int
    placed_balance_cents: int
    balance_cents: int


class NoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class NoteRead(msgspec.Struct):
    note_id: UUID
    account_id: UUID
    author_id: UUID
    text: str
    created_at: datetime


# --- the consumer's contact preferences ---------------------------------------------------


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    OTHER = "other"


class PhoneStatus(StrEnum):
    VALID = "valid"
    WRONG_NUMBER = "wrong_number"
    NOT_IN_SERVICE = "not_in_service"
    DO_NOT_CALL = "do_not_call"


class Medium(StrEnum):
    TELEPHONE = "telephone"
    EMAIL = "email"
    TEXT = "text"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class PhoneCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A number the consumer gave (or the agency learned) on a call about the account."""

    number: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    kind: PhoneKind
    # How the agency learned it.
    channel: Channel
    employer_forbids_calls: bool = False
    received_at: datetime | None = None


class PhoneUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """What the consumer (or the line) told us of a number: its status, the employer's
    ban; at least one of the two."""

    reason: Reason
    channel: Channel
    status: PhoneStatus | None = None
    employer_forbids_calls: bool | None = None
    received_at: datetime | None = None


class AddressChange(msgspec.Struct, forbid_unknown_fields=True):
    """The consumer's new address, as they gave it: a US street address whose ZIP (5
    digits, or ZIP+4) sets the zone; `state` if given must be the ZIP's."""

    address_line1: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    city: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    zip: Annotated[str, msgspec.Meta(min_length=1, max_length=10)]
    channel: Channel
    address_line2: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    state: Annotated[str, msgspec.Meta(min_length=1, max_length=2)] | None = None
    received_at: datetime | None = None


class InconvenientTimeWrite(msgspec.Struct, forbid_unknown_fields=True):
    """A time the consumer said is inconvenient, on their clock: `zone` the one they spoke
    in (an IANA name), else their home's. `to` before `from` runs past midnight."""

    days: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    start: ClockTime = msgspec.field(name="from")
    end: ClockTime = msgspec.field(name="to")
    zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class InconvenientTimesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The whole list of the consumer's stated inconvenient times (empty: none)."""

    times: Annotated[list[InconvenientTimeWrite], msgspec.Meta(max_length=28)]
    channel: Channel
    received_at: datetime | None = None


class MediumRefusalCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The consumer asked the agency not to use a medium (12 CFR 1006.14(h))."""

    medium: Medium
    channel: Channel
    received_at: datetime | None = None


class MediumRefusalRead(msgspec.Struct):
    medium: str
    # When it binds from (the earliest received, if asked more than once).
    since: datetime | None
    channel: str | None
