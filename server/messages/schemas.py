"""Messages between a client and the agency, on an account or a placement."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec


class Side(StrEnum):
    CLIENT = "client"
    AGENCY = "agency"


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class MessageRead(msgspec.Struct):
    message_id: UUID
    client_id: UUID
    account_id: UUID | None
    placement_id: UUID | None
    side: Side
    author_id: UUID
    author_name: str
    body: str
    created_at: datetime
    # Whether the caller has read it (what the caller's own side wrote is read).
    read: bool


class ReadMarked(msgspec.Struct):
    # How many messages became read for the caller.
    marked: int
    unread: int


class ThreadRead(msgspec.Struct):
    """One account's or placement's messages, as an inbox lists them."""

    client_id: UUID
    account_id: UUID | None
    placement_id: UUID | None
    # The client's account number, or the placement's file name (null: none was given).
    label: str | None
    messages: int
    unread: int
    last_at: datetime
    last_side: Side
    last_body: str


class UnreadRead(msgspec.Struct):
    unread: int
