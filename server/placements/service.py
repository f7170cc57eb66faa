"""Placements: receiving a client's files, their progress, row errors and
acknowledgements, and the client's decision on a placement held for its balances."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.clients import service as clients
from server.clients.column_guide import header_message
from server.clients.column_map import (
    ColumnMap,
    FileKind,
    HeaderMismatch,
    column_map_for,
    resolve_header,
)
from server.clients.schemas import Tier
from server.kit import clock, db
from server.kit.csv_export import csv_stream
from server.kit.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    NotPermitted,
    PayloadTooLarge,
)
from server.kit.jobs import enqueue
from server.kit.keyring import ssn_hash_key
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, invalid_cursor, make_page, page_request
from server.kit.settings import get_settings
from server.kit.uploads import Upload, clean_file_name
from server.placements import repository
from server.placements.csv_stream import FileRejected, RecordReader
from server.placements.ingest import row_normalizer
from server.placements.layout_preview import PreviewRow, Sample, preview, read_sample
from server.placements.row_owners import row_owner
from server.placements.rows import NormalizeContext
from server.placements.schemas import PlacementErrorPage, PlacementErrorRead, PlacementRead

# Stored bytes are cut into pieces of this size: any worker reads them back one at a time.
CHUNK_BYTES = 1 << 20
# The largest line number a placement_error row can hold (a PostgreSQL integer).
MAX_LINE = 2**31 - 1


def _placement_read(row: asyncpg.Record) -> PlacementRead:
    size = row["byte_size"]
    done = row["bytes_done"]
    # A failed file shows how far it got; the others, once finished, are read whole.
    finished = row["status"] in FINISHED and row["status"] != FAILED
    progress = 100 if finished else (done * 100 // size if size else 0)
    places_accounts = row["kind"] == FileKind.NEW_BUSINESS
    return read_as(
        PlacementRead,
        row,
        placement_id=row["id"],
        progress=min(100, progress),
        accounts_placed=row["rows_accepted"] if places_accounts else None,
        balance_placed_cents=row["balance_placed_cents"] if places_accounts else None,
        held_reason=row["held_reason"] if row["status"] == HELD else None,
        failure_reason=row["failure_reason"] if row["status"] == FAILED else None,
    )


HELD = "awaiting_confirmation"
FAILED = "failed"
# The statuses a placement keeps: nothing more is loaded.
FINISHED = ("loaded", HELD, "rejected", FAILED)
# Placements whose bytes may make a new placement when sent again.
SUPERSEDED = ("rejected", FAILED)
CANCELLED_REASON = "cancelled by the client"


async def _held_placement(actor: Principal, placement_id: UUID) -> asyncpg.Record:
    """A placement awaiting confirmation, locked, that the caller may decide: its client's
    user or token (the client vouches for its own balances; the agency cannot)."""
    row = await repository.placement(placement_id, for_update=True)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such placement")
    if actor.role != Role.CLIENT:
        raise NotPermitted("only the client confirms or cancels its placement")
    if row["status"] != HELD:
        raise Conflict(f"the placement is {row['status']}, not awaiting confirmation",
                       code="placement_not_held")  # fmt: skip
    return row


async def confirm_placement(actor: Principal, placement_id: UUID) -> PlacementRead:
    """The client vouches for a held placement's balances: its accounts are worked."""
    async with db.transaction():
        row = await _held_placement(actor, placement_id)
        released = await repository.release_placement(placement_id)
        await audit.record(
            actor, "placement.confirm", "placement", placement_id, client_id=row["client_id"],
            before={"status": HELD, "held_reason": row["held_reason"]}, after={"status": "loaded"},
        )  # fmt: skip
    return _placement_read(released)


async def cancel_placement(actor: Principal, placement_id: UUID) -> PlacementRead:
    """The client withdraws a held placement: it is rejected and every account it loaded
    is recalled (kept for the record, never worked), so the same bytes, or the file
    corrected, may be placed again."""
    async with db.transaction():
        row = await _held_placement(actor, placement_id)
        cancelled, recalled = await repository.cancel_placement(
            placement_id, CANCELLED_REASON, actor.id, clock.now()
        )
        await accounts.accounts_left_collection(None, recalled, "recalled", actor.id)
        await audit.record(
            actor, "placement.cancel", "placement", placement_id, client_id=row["client_id"],
            before={"status": HELD, "held_reason": row["held_reason"]},
            after={"status": "rejected", "accounts_recalled": len(recalled)},
        )  # fmt: skip
    return _placement_read(cancelled)


class _SameBytes(Exception):
    def __init__(self, placement_id: UUID) -> None:
        self.placement_id = placement_id


class _HeaderCheck:
    """Reads just enough of an upload to see its header and match it to the column map,
    so a file rejected whole is refused before (and instead of) being kept."""

    def __init__(self, column_map: Any) -> None:
        self.reader = RecordReader()
        self.column_map = column_map
        self.done = False

    def _check(self, records: list[Any]) -> None:
        if not records:
            return
        self.done = True
        header = records[0][1]
        if not isinstance(header, list):
            raise InvalidInput.field("file", header.reason, code="header_unreadable")
        try:
            resolve_header(header, self.column_map)
        except HeaderMismatch as mismatch:
            raise _header_refusal(mismatch, self.column_map) from None

    def feed(self, piece: bytes) -> None:
        try:
            self._check(self.reader.feed(piece))
        except FileRejected as refused:
            raise InvalidInput.field("file", refused.reason, code=refused.code) from None

    def finish(self) -> None:
        try:
            self._check(self.reader.finish())
        except FileRejected as refused:
            raise InvalidInput.field("file", refused.reason, code=refused.code) from None
        if not self.done:
            raise InvalidInput.field("file", "the file holds no records", code="empty_file")


def _header_refusal(mismatch: HeaderMismatch, column_map: ColumnMap) -> InvalidInput:
    message = header_message(column_map, mismatch.missing, mismatch.unknown, mismatch.duplicated)
    details = (
        [FieldError(f"columns.{name}", "missing from the header") for name in mismatch.missing]
        + [FieldError(f"columns.{name}", "appears more than once") for name in mismatch.duplicated]
        + [FieldError(f"columns.{header}", reason) for _, header, reason in mismatch.contradicted]
        + [FieldError(f"file.{name}", "not in your layout") for name in mismatch.unknown]
    )
    if mismatch.contradicted:
        message = str(mismatch)
    return InvalidInput(message, code=mismatch.code, details=details)


def file_sample(data: bytes) -> Sample:
    """The header and first rows of a file's first bytes (the portal's mapping step)."""
    try:
        return read_sample(data)
    except FileRejected as refused:
        raise InvalidInput.field("file", refused.reason, code=refused.code) from None


def preview_file(column_map: ColumnMap, data: bytes) -> list[PreviewRow]:
    """The first rows of a file as they would load under `column_map`: nothing is kept."""
    ctx = NormalizeContext(clock.agency_today(), ssn_hash_key(get_settings()))
    try:
        return preview(column_map, file_sample(data), ctx, row_normalizer)
    except HeaderMismatch as mismatch:
        raise _header_refusal(mismatch, column_map) from None


async def receive_placement(
    actor: Principal,
    *,
    client_id: UUID,
    kind: FileKind,
    tier: Tier,
    upload: Upload,
) -> tuple[PlacementRead, bool]:
    """Store an uploaded file, streamed in pieces, and queue it for loading. Returns the
    placement and whether it is new: the same bytes again for the same client and kind
    are the same placement and write nothing, unless that one was rejected or failed."""
    if not actor.may_see_client(client_id):
        raise NotFound("no such client")
    if actor.role not in (Role.ADMIN, Role.CLIENT):
        raise NotPermitted("only the client or an admin places accounts")
    client = await clients.client_settings(client_id)
    rate = client["fee_rates_bps"].get(tier)
    if rate is None:
        raise InvalidInput.field("tier", f"the client has no fee rate for {tier} placements")
    limit = get_settings().upload_max_bytes
    header = _HeaderCheck(column_map_for(client, kind))
    try:
        async with db.transaction():
            placement_id = await repository.insert_placement(
                client_id=client_id, kind=kind, tier=tier, fee_rate_bps=rate, created_by=actor.id,
            )  # fmt: skip
            digest = hashlib.sha256()
            pending = bytearray()
            size = seq = 0
            async for piece in upload.body:
                size += len(piece)
                if size > limit:
                    raise PayloadTooLarge(f"the file is larger than {limit} bytes")
                digest.update(piece)
                if not header.done:
                    header.feed(piece)
                pending += piece
                while len(pending) >= CHUNK_BYTES:
                    await repository.insert_chunk(
                        placement_id, client_id, seq, bytes(pending[:CHUNK_BYTES])
                    )
                    del pending[:CHUNK_BYTES]
                    seq += 1
            if not header.done:
                header.finish()
            if pending:
                await repository.insert_chunk(placement_id, client_id, seq, bytes(pending))
                seq += 1
            sha256 = digest.hexdigest()
            existing = await repository.placement_by_hash(client_id, kind, sha256)
            if existing is not None:
                if existing["status"] not in SUPERSEDED:
                    raise _SameBytes(existing["id"])
                # A rejected one with nothing loaded goes; a failed one stays, with its
                # reason, beside the new one.
                await repository.delete_placement(existing["id"])
            row = await repository.finish_receiving(
                placement_id, sha256, size, seq, clean_file_name(upload.file_name)
            )
            await audit.record(
                actor, "placement.receive", "placement", placement_id, client_id=client_id,
                after={"kind": kind, "tier": tier, "bytes": size, "sha256": sha256,
                       "file_name": row["file_name"], "fee_rate_bps": rate},
            )  # fmt: skip
    except _SameBytes as same:
        found = await repository.placement(same.placement_id)
        assert found is not None
        return _placement_read(found), False
    except asyncpg.UniqueViolationError:
        # The same bytes arrived twice at once and the other upload committed first.
        raced = await repository.placement_by_hash(client_id, kind, digest.hexdigest())
        if raced is None:
            raise
        return _placement_read(raced), False
    await enqueue(
        "placements.ingest", str(placement_id), job_id=f"placements.ingest:{placement_id}"
    )
    return _placement_read(row), True


async def record_placed_at(actor: Principal, placement_id: UUID, placed_at: datetime) -> None:
    """Accounts brought over from the agency's earlier system were placed before they were
    loaded here: the placement and its accounts take the moment they were really placed, so
    their age, vintage and liquidation read true. Admins only; audited."""
    if actor.role != Role.ADMIN:
        raise NotPermitted("only an admin records when accounts were placed")
    async with db.transaction():
        row = await repository.placement(placement_id)
        if row is None:
            raise NotFound("no such placement")
        await repository.set_placed_at(placement_id, placed_at)
        await audit.record(
            actor, "placement.placed_at", "placement", placement_id, client_id=row["client_id"],
            before={"created_at": row["created_at"]}, after={"created_at": placed_at},
        )  # fmt: skip


async def _visible_placement(actor: Principal, placement_id: UUID) -> asyncpg.Record:
    row = await repository.placement(placement_id)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such placement")
    return row


async def get_placement(actor: Principal, placement_id: UUID) -> PlacementRead:
    return _placement_read(await _visible_placement(actor, placement_id))


async def list_placements(
    actor: Principal, page: PageRequest, client_id: UUID | None = None
) -> Page[PlacementRead]:
    if client_id is not None and not actor.may_see_client(client_id):
        return Page(items=[], next_cursor=None)
    rows = await repository.list_placements(
        actor.visible_clients(), client_id, page.after, page.fetch_limit
    )
    reads = [_placement_read(r) for r in rows]
    return make_page(reads, page, key=lambda p: (p.created_at, p.placement_id))


def _error_read(r: asyncpg.Record) -> PlacementErrorRead:
    return read_as(PlacementErrorRead, r, column=r["column_name"])


def _error_cursor(cursor: str | None) -> tuple[int, UUID]:
    if not cursor:
        return 0, UUID(int=0)
    try:
        line, error_id = cursor.split(":", 1)
        found = int(line), UUID(error_id)
    except ValueError:
        raise invalid_cursor() from None
    # A file's line numbers are PostgreSQL integers: what lies past them was never issued.
    if not 0 <= found[0] <= MAX_LINE:
        raise invalid_cursor()
    return found


async def placement_errors(
    actor: Principal, placement_id: UUID, limit: int | None, cursor: str | None
) -> PlacementErrorPage:
    """Row errors and warnings in line order."""
    await _visible_placement(actor, placement_id)
    size = page_request(limit, None).limit
    rows = await repository.placement_errors_after(placement_id, _error_cursor(cursor), size + 1)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = f"{rows[-1]['line']}:{rows[-1]['id']}" if more else None
    return PlacementErrorPage(items=[_error_read(r) for r in rows], next_cursor=next_cursor)


async def placement_errors_csv(actor: Principal, placement_id: UUID) -> AsyncIterator[bytes]:
    await _visible_placement(actor, placement_id)

    async def rows() -> AsyncIterator[list[Any]]:
        after = (0, UUID(int=0))
        while batch := await repository.placement_errors_after(placement_id, after, 5000):
            for r in batch:
                yield [
                    r["line"],
                    r["column_name"],
                    r["field"],
                    r["severity"],
                    r["code"],
                    r["reason"],
                ]
            after = (batch[-1]["line"], batch[-1]["id"])

    return csv_stream(["line", "column", "field", "severity", "code", "reason"], rows())


async def acknowledgement_csv(actor: Principal, placement_id: UUID) -> AsyncIterator[bytes]:
    """What was received and accepted: every loaded account with our id, its line, the
    balance received and the fee rate locked for it; for a financial file, every movement
    it made, as the domain that applied it tells."""
    placement = await _visible_placement(actor, placement_id)
    owner = row_owner(FileKind(placement["kind"]))
    if owner is not None:
        return csv_stream(list(owner.acknowledgement_columns), owner.acknowledged(placement_id))

    async def rows() -> AsyncIterator[list[Any]]:
        after = 0
        while batch := await repository.accepted_accounts(placement_id, after, 5000):
            for r in batch:
                yield [
                    r["placement_line"], r["client_account_number"], str(r["id"]),
                    r["placed_balance_cents"], r["fee_rate_bps"],
                ]  # fmt: skip
            after = batch[-1]["placement_line"]
        # What the client can hold against its own figures: how many and how much.
        yield ["total", f"{placement['rows_accepted']} accounts", "",
               placement["balance_placed_cents"], ""]  # fmt: skip

    header = ["line", "client_account_number", "account_id", "balance_received_cents",
              "fee_rate_bps"]  # fmt: skip
    return csv_stream(header, rows())
