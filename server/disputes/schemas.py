"""Disputes: what staff record and what the API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.disputes.rules import Channel, Kind, Scope, Timeliness


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


class DuplicateCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The earlier dispute this written one repeats, and why it brings nothing new."""

    duplicate_of: UUID
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class OpenDisputeRead(DisputeRead):
    """A dispute not yet answered, with the account it is about and its age."""

    client_account_number: str = ""
    # Days since it was received, in the agency's calendar.
    age_days: int = 0
