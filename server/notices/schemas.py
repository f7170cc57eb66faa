"""Notices: a client user's preferences, and the outbox as admins read it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from server.notices.kinds import NoticeKind


class NoticeKindRead(msgspec.Struct):
    kind: NoticeKind
    label: str
    switched_on: bool


class NoticePreferencesRead(msgspec.Struct):
    # Where notices go; null: nowhere yet, and none is sent.
    email: str | None
    kinds: list[NoticeKindRead]


class NoticePreferencesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The whole setting: the address (null: send nothing) and the kinds not wanted."""

    email: Annotated[str, msgspec.Meta(max_length=254)] | None
    switched_off: Annotated[list[NoticeKind], msgspec.Meta(max_length=16)] = []


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxRead(msgspec.Struct):
    notice_id: UUID
    client_id: UUID
    user_id: UUID
    kind: NoticeKind
    recipient: str
    subject: str
    body: str
    message_id: str
    status: OutboxStatus
    attempts: int
    # When it is next tried (queued), and why the last attempt failed.
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
