from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


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
    # Why a `failed` placement stopped loading, for the client (null otherwise).
    failure_reason: str | None = None


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
