"""Request and response bodies of the contact routes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

# Offsets are required: a naive time names no instant, and the rules are about instants.
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
# Checked as E.164 by the service, after the caller is known to see the account.
PhoneNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Outcome(StrEnum):
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    BUSY = "busy"
    NOT_IN_SERVICE = "not_in_service"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    RIGHT_PARTY_CONTACT = "right_party_contact"
    PROMISE_TO_PAY = "promise_to_pay"
    REFUSED = "refused"
    DISPUTE = "dispute"
    CEASE_REQUEST = "cease_request"
    CALLBACK = "callback"


class CallCheckRequest(msgspec.Struct, forbid_unknown_fields=True):
    phone: PhoneNumber | None = None
    at: Instant | None = None


class CallCheckRead(msgspec.Struct):
    allowed: bool
    phone: str | None
    at: datetime
    rule: str | None
    reasons: list[str]
    next_callable_at: datetime | None
    # The verdict in words, with the consumer's local time in every zone considered
    # ("It is 22:07 in Chicago; calls are allowed 08:00–21:00 …").
    message: str
    # Every zone the rules hold in for this number, and the time there at `at`.
    zones: list[str]
    local_times: dict[str, str]


class CallCreate(msgspec.Struct, forbid_unknown_fields=True):
    phone: PhoneNumber
    direction: Direction
    started_at: Instant
    duration_s: Annotated[int, msgspec.Meta(ge=0, le=86_400)]
    outcome: Outcome
    notes: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    callback_at: Instant | None = None
    # Further accounts of the same person the call was about.
    account_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] | None = None
    # The version of a call this one corrects.
    corrects_call_id: UUID | None = None
    # What was promised on a `promise_to_pay` call.
    promise_amount_cents: Annotated[int, msgspec.Meta(ge=1)] | None = None
    promise_due_on: date | None = None


class Violation(msgspec.Struct):
    account_id: UUID
    rule: str


class Rejudged(msgspec.Struct):
    """A call stored earlier whose verdict this one changed."""

    call_id: UUID
    account_id: UUID
    violations: list[str]


class CallRecorded(msgspec.Struct):
    call_id: UUID
    # The call's identity across corrections: the id of its first version.
    chain_id: UUID
    violations: list[Violation]
    rejudged: list[Rejudged]


class ViolationRead(msgspec.Struct):
    evaluation_id: UUID
    call_id: UUID
    chain_id: UUID
    account_id: UUID
    client_id: UUID
    collector_id: UUID
    phone: str
    direction: str
    outcome: str
    started_at: datetime
    rules: list[str]
    cause: str
    evaluated_at: datetime


class CallRead(msgspec.Struct):
    """One version of a call about the account, as the agency's staff read it back."""

    call_id: UUID
    # The call's identity across corrections: the id of its first version.
    chain_id: UUID
    # The version this one corrects, and the version that corrected it (null: this is the
    # version that counts).
    corrects_call_id: UUID | None
    corrected_by_call_id: UUID | None
    # The account the call was recorded on (a call about several of the person's accounts
    # is listed on each of them).
    recorded_on_account_id: UUID
    collector_id: UUID
    phone: str
    direction: str
    outcome: str
    started_at: datetime
    duration_s: int
    callback_at: datetime | None
    notes: str | None
    recorded_at: datetime
    # The rules this version breached for this account, as judged now (empty: none).
    violations: list[str]


class CallSummary(msgspec.Struct):
    call_id: UUID
    chain_id: UUID
    collector_id: UUID
    phone: str
    direction: str
    outcome: str
    started_at: datetime
    duration_s: int
    callback_at: datetime | None
    violations: list[str]


class WorkKind(StrEnum):
    CALLBACK = "callback"
    PROMISE = "promise"


class WorkDueRead(msgspec.Struct):
    """A callback a consumer asked for, or a promise to pay taken on a call."""

    work_id: UUID
    kind: WorkKind
    # A callback's time; a promise's date from the start of that day in the agency's zone.
    due_at: datetime
    due_now: bool
    account_id: UUID
    client_id: UUID
    client_account_number: str | None
    call_id: UUID
    # A promise's date and amount (null for a callback).
    due_on: date | None
    amount_cents: int | None
