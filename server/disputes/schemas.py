"""Disputes: what staff record and what the API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.disputes.rules import Channel, Kind, Scope, Timeliness
from server.disputes.verification_rules import DocumentKind, Reminder


class DisputeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A dispute as the consumer made it. `received_at` defaults to now; a partial dispute
    names `disputed_cents`, the part of the balance disputed."""

    channel: Channel
    # The consumer's words: what they said (oral) or wrote.
    words: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    received_at: datetime | None = None
    kind: Kind = Kind.DISPUTE
    scope: Scope = Scope.WHOLE
    disputed_cents: Annotated[int, msgspec.Meta(ge=1)] | None = None


class DisputeRead(msgspec.Struct):
    dispute_id: UUID
    account_id: UUID
    client_id: UUID
    kind: Kind
    channel: Channel
    received_at: datetime
    # The day timeliness was judged on: the received instant's date in American Samoa.
    received_on: date
    scope: Scope
    disputed_cents: int | None
    words: str
    timeliness: Timeliness
    # A timely written dispute stops collection until its answer is mailed; any other
    # marks the debt disputed and leaves collection open.
    blocks_collection: bool
    source: str
    recorded_by: UUID
    created_at: datetime
    answered_at: datetime | None
    # A supervisor's decision that it repeats an answered dispute (1006.38(d)(2)(ii)).
    duplicate_of: UUID | None = None
    duplicate_reason: str | None = None
    duplicate_marked_by: UUID | None = None
    duplicate_marked_at: datetime | None = None
    # The letter whose mailing answered it.
    answered_by_letter_id: UUID | None = None


class DuplicateCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The earlier dispute this written one repeats, and why it brings nothing new."""

    duplicate_of: UUID
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class OpenDisputeRead(DisputeRead):
    """A dispute not yet answered, with the account it is about and its age."""

    client_account_number: str = ""
    # Days since it was received, in the agency's calendar.
    age_days: int = 0
    # Its verification request, if one was opened: status, due date, and whether it is
    # open past its due date.
    verification_request_id: UUID | None = None
    verification_status: str | None = None
    verification_due_on: date | None = None
    verification_overdue: bool = False


class VerificationDocumentRead(msgspec.Struct):
    document_id: UUID
    request_id: UUID
    kind: DocumentKind
    file_name: str
    # Read from the file's first bytes, never from its name or the declared type.
    media_type: str
    byte_size: int
    sha256: str
    uploaded_by: UUID
    created_at: datetime


class ReminderRead(msgspec.Struct):
    kind: Reminder
    on_date: date
    # Whether a notifier was there to send it; recorded either way.
    notified: bool
    created_at: datetime


class VerificationRequestRead(msgspec.Struct):
    """What the agency asks the client to verify, with the dispute it answers."""

    request_id: UUID
    dispute_id: UUID
    account_id: UUID
    client_id: UUID
    client_account_number: str
    opened_at: datetime
    due_on: date
    # Open past its due date (the agency's today).
    overdue: bool
    status: str
    closed_at: datetime | None
    note: str | None
    # The dispute: how and when it came in, what the consumer said.
    kind: Kind
    channel: Channel
    received_at: datetime
    scope: Scope
    disputed_cents: int | None
    words: str
    timeliness: Timeliness
    blocks_collection: bool
    answered_at: datetime | None
    documents: list[VerificationDocumentRead] = []
    reminders: list[ReminderRead] = []


class VerificationAnswer(msgspec.Struct, forbid_unknown_fields=True):
    """The client's answer: the debt is verified by the documents uploaded to the request
    (a dispute takes at least one). A request for the original creditor is answered with
    its name (the account's when the file gave one) and mailing address."""

    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    original_creditor_name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    original_creditor_address: Annotated[str, msgspec.Meta(max_length=400)] | None = None


class VerificationRecall(msgspec.Struct, forbid_unknown_fields=True):
    """The client recalls the account instead of verifying it."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
