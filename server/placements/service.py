"""Clients, placements, debtors and accounts: the use cases."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.audit import service as audit
from server.auth.principal import Principal, Role
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
from server.kit.pagination import Page, PageRequest, invalid_cursor, make_page, page_request
from server.kit.settings import get_settings
from server.kit.uploads import Upload
from server.placements import repository
from server.placements.column_map import (
    FileKind,
    HeaderMismatch,
    InvalidColumnMap,
    parse_column_map,
    resolve_header,
)
from server.placements.csv_stream import FileRejected, RecordReader
from server.placements.errors import ClientNameTaken
from server.placements.ingest import RowOwner as RowOwner
from server.placements.ingest import column_map_for
from server.placements.ingest import row_owners as row_owners
from server.placements.schemas import (
    AccountRead,
    AccountSummary,
    ClientCreate,
    ClientRead,
    ClientStatus,
    ClientUpdate,
    DebtorRead,
    PaymentMethod,
    PhoneRead,
    PlacementErrorPage,
    PlacementErrorRead,
    PlacementRead,
    StatusActionRequest,
    StatusChangeRead,
    StatusTotalsRead,
    Tier,
)
from server.placements.statuses import (
    OPEN,
    AccountStatus,
    Channel,
    StatusAction,
    TransitionRefused,
    next_status,
)
from server.settlements.authority import AuthorityInvalid, parse_authority

# Business days a payment is held before it counts as cleared, for methods a client's
# settings leave out: the common bank practice the agency starts new clients on.
DEFAULT_CLEARING_DAYS = {
    PaymentMethod.ACH: 5,
    PaymentMethod.CHECK: 10,
    PaymentMethod.CARD: 1,
    PaymentMethod.CASH: 0,
    PaymentMethod.OTHER: 5,
}


async def missing_clients(client_ids: list[UUID]) -> list[UUID]:
    existing = await repository.existing_client_ids(client_ids)
    return [client_id for client_id in client_ids if client_id not in existing]


async def require_client(actor: Principal, client_id: UUID) -> None:
    """NotFound unless the client exists and the caller may see it."""
    if not actor.may_see_client(client_id) or await missing_clients([client_id]):
        raise NotFound("no such client")


def _read(row: dict[str, Any]) -> ClientRead:
    return ClientRead(
        client_id=row["id"],
        name=row["name"],
        status=ClientStatus(row["status"]),
        fee_rates_bps=row["fee_rates_bps"],
        remittance_cycle=row["remittance_cycle"],
        remittance_method=row["remittance_method"],
        clearing_days=row["clearing_days"],
        authority=row["authority"],
        column_map=row["column_map"],
        max_plausible_balance_cents=row["max_plausible_balance_cents"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _settings_errors(values: dict[str, Any]) -> list[FieldError]:
    """Everything wrong with a client's settings at once, each with its field path."""
    errors: list[FieldError] = []
    if Tier.PRIMARY not in values["fee_rates_bps"]:
        errors.append(FieldError("fee_rates_bps.primary", "is required"))
    try:
        parse_authority(values["authority"])
    except AuthorityInvalid as invalid:
        errors.extend(invalid.errors)
    for kind, raw in values["column_map"].items():
        if kind not in FileKind.__members__.values():
            errors.append(FieldError(f"column_map.{kind}", "is not a kind of placement file"))
            continue
        try:
            parse_column_map(raw, FileKind(kind))
        except InvalidColumnMap as invalid:
            errors.extend(
                FieldError(f"column_map.{kind}" + (f".{path}" if path else ""), reason)
                for path, reason in invalid.errors
            )
    return errors


def _check(values: dict[str, Any]) -> None:
    errors = _settings_errors(values)
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.reason}" for e in errors), details=errors)


def _plain(values: Mapping[Any, Any]) -> dict[str, Any]:
    """Enum keys and values as the strings stored in JSON."""
    plain: dict[str, Any] = msgspec.to_builtins(values)
    return plain


async def create_client(actor: Principal, data: ClientCreate) -> ClientRead:
    values = _plain(
        {
            "name": data.name.strip(),
            "fee_rates_bps": data.fee_rates_bps,
            "remittance_cycle": data.remittance_cycle,
            "remittance_method": data.remittance_method,
            "clearing_days": {**DEFAULT_CLEARING_DAYS, **data.clearing_days},
            "authority": data.authority,
            "column_map": data.column_map or {},
            "max_plausible_balance_cents": data.max_plausible_balance_cents,
        }
    )
    _check(values)
    async with db.transaction():
        if await repository.client_name_taken(values["name"]):
            raise ClientNameTaken(f"a client named {values['name']!r} exists")
        row = await repository.insert_client(values)
        await audit.record(
            actor, "client.create", "client", row["id"], client_id=row["id"], after=values
        )
        return _read(row)


async def update_client(actor: Principal, client_id: UUID, data: ClientUpdate) -> ClientRead:
    changes = {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    async with db.transaction():
        before = await repository.client_by_id(client_id, for_update=True)
        if before is None:
            raise NotFound("no such client")
        stored = {k: v for k, v in before.items() if k not in ("id", "created_at", "updated_at")}
        values = _plain({**stored, **changes})
        if "clearing_days" in changes:
            clearing: dict[str, int] = {
                **_plain(DEFAULT_CLEARING_DAYS),
                **_plain(changes["clearing_days"]),
            }
            values["clearing_days"] = clearing
        _check(values)
        if "name" in changes and await repository.client_name_taken(values["name"], client_id):
            raise ClientNameTaken(f"a client named {values['name']!r} exists")
        row = await repository.update_client(client_id, values)
        await audit.record(
            actor, "client.update", "client", client_id, client_id=client_id,
            before=_plain(stored), after=values,
        )  # fmt: skip
        return _read(row)


async def get_client(actor: Principal, client_id: UUID) -> ClientRead:
    if not actor.may_see_client(client_id):
        raise NotFound("no such client")
    row = await repository.client_by_id(client_id)
    if row is None:
        raise NotFound("no such client")
    return _read(row)


async def client_id_named(name: str) -> UUID | None:
    return await repository.client_id_named(name)


async def client_settings(client_id: UUID) -> dict[str, Any]:
    """For other domains' services: the client's stored settings (fees, holds, authority)."""
    row = await repository.client_by_id(client_id)
    if row is None:
        raise NotFound("no such client")
    return row


async def clients_settings(client_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """client_settings of many clients at once, by id; unknown ids are left out."""
    return {row["id"]: row for row in await repository.clients_by_ids(client_ids)}


async def list_clients(actor: Principal, page: PageRequest) -> Page[ClientRead]:
    rows = await repository.list_clients(actor.visible_clients(), page.after, page.fetch_limit)
    reads = [_read(row) for row in rows]
    return make_page(reads, page, key=lambda c: (c.created_at, c.client_id))


def file_layout(column_map: dict[str, Any], kind: FileKind) -> dict[str, Any]:
    """The headers a client's files of `kind` carry, in order, and the unit their amounts
    are read in, for showing the client its layout."""
    layout = column_map_for({"column_map": column_map}, kind)
    return {"layout": list(layout.columns.values()), "amount_format": str(layout.amount_format)}


# --- accounts -----------------------------------------------------------------------------


async def _visible_account(
    actor: Principal, account_id: UUID, *, for_update: bool = False
) -> asyncpg.Record:
    row = await repository.account(account_id, for_update=for_update)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such account")
    return row


# Other domains add what they know of an account to its detail (payments, calls, score)
# by registering a section here when their service module is imported; placements does not
# import them, so the dependency runs one way.
AccountSection = Callable[[Principal, UUID], Awaitable[Any]]
account_sections: dict[str, AccountSection] = {}


async def get_account(actor: Principal, account_id: UUID) -> AccountRead:
    row = await _visible_account(actor, account_id)
    sections = {
        name: await section(actor, account_id) for name, section in account_sections.items()
    }
    debtor = await repository.debtor(row["debtor_id"])
    assert debtor is not None
    phones = await repository.debtor_phones(row["debtor_id"])
    history = await repository.status_history(account_id)
    return AccountRead(
        account_id=row["id"],
        client_id=row["client_id"],
        placement_id=row["placement_id"],
        client_account_number=row["client_account_number"],
        original_creditor=row["original_creditor"],
        serviced_account_number=row["serviced_account_number"],
        tier=row["tier"],
        fee_rate_bps=row["fee_rate_bps"],
        principal_cents=row["principal_cents"],
        interest_cents=row["interest_cents"],
        fees_cents=row["fees_cents"],
        placed_balance_cents=row["placed_balance_cents"],
        balance_cents=row["balance_cents"],
        delinquency_date=row["delinquency_date"],
        charge_off_date=row["charge_off_date"],
        last_payment_date=row["last_payment_date"],
        statute_of_limitations_date=row["statute_of_limitations_date"],
        status=row["status"],
        status_since=row["status_since"],
        validation_notice_sent_on=row["validation_notice_sent_on"],
        validation_period_ends_on=row["validation_period_ends_on"],
        created_at=row["created_at"],
        debtor=DebtorRead(
            debtor_id=debtor["id"],
            first_name=debtor["first_name"],
            last_name=debtor["last_name"],
            date_of_birth=debtor["date_of_birth"],
            ssn_last4=debtor["ssn_last4"],
            address_line1=debtor["address_line1"],
            address_line2=debtor["address_line2"],
            city=debtor["city"],
            state=debtor["state"],
            zip5=debtor["zip5"],
            time_zone=debtor["time_zone"],
            emails=list(debtor["emails"] or []),
            phones=[
                PhoneRead(
                    e164=p["e164"],
                    kind=p["kind"],
                    status=p["status"],
                    employer_forbids_calls=p["employer_forbids_calls"],
                )
                for p in phones
            ],
            no_telephone=debtor["no_telephone"],
            inconvenient_times=json.loads(debtor["inconvenient_times"] or "[]"),
        ),
        status_history=[
            StatusChangeRead(
                action=h["action"],
                from_status=h["from_status"],
                to_status=h["to_status"],
                reason=h["reason"],
                channel=h["channel"],
                received_at=h["received_at"],
                created_at=h["created_at"],
            )
            for h in history
        ],
        sections=sections,
    )


async def list_accounts(
    actor: Principal,
    page: PageRequest,
    *,
    client_id: UUID | None = None,
    status: AccountStatus | None = None,
    query: str | None = None,
) -> Page[AccountSummary]:
    if client_id is not None and not actor.may_see_client(client_id):
        return Page(items=[], next_cursor=None)
    rows = await repository.list_accounts(
        visible=actor.visible_clients(),
        client_id=client_id,
        status=status,
        query=query.strip() if query and query.strip() else None,
        after=page.after,
        limit=page.fetch_limit,
    )
    items = [
        AccountSummary(
            account_id=r["id"],
            client_id=r["client_id"],
            placement_id=r["placement_id"],
            client_account_number=r["client_account_number"],
            debtor_name=r["debtor_name"],
            status=r["status"],
            placed_balance_cents=r["placed_balance_cents"],
            balance_cents=r["balance_cents"],
            delinquency_date=r["delinquency_date"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
    return make_page(items, page, key=lambda a: (a.created_at, a.account_id))


async def accounts_by_status(actor: Principal, client_id: UUID) -> list[StatusTotalsRead]:
    """The client's accounts per status, most numerous first."""
    await require_client(actor, client_id)
    return [
        StatusTotalsRead(
            status=r["status"],
            accounts=r["accounts"],
            # sum() of bigint is numeric: back to integer cents.
            placed_balance_cents=int(r["placed_cents"]),
            balance_cents=int(r["balance_cents"]),
        )
        for r in await repository.client_accounts_by_status(client_id)
    ]


async def account_numbers(actor: Principal, account_ids: list[UUID]) -> dict[UUID, str]:
    """The client's own numbers of the accounts the caller may see, by our id (a statement
    names accounts by id; people know them by their number)."""
    rows = await repository.account_numbers(account_ids, actor.visible_clients())
    return {r["id"]: r["client_account_number"] for r in rows}


# Who may take each action: a client recalls its own accounts; the agency's people record
# what consumers tell them.
_ACTION_ROLES = {
    StatusAction.RECALL: {Role.ADMIN, Role.SUPERVISOR, Role.CLIENT},
    StatusAction.DISPUTE: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
    StatusAction.VERIFICATION: {Role.ADMIN, Role.SUPERVISOR},
    StatusAction.CEASE: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
    StatusAction.STATUS: {Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR},
}
_CHANNEL_REQUIRED = {StatusAction.DISPUTE, StatusAction.CEASE}


async def change_status(
    actor: Principal, account_id: UUID, action: StatusAction, data: StatusActionRequest
) -> AccountRead:
    await _visible_account(actor, account_id)
    if actor.role not in _ACTION_ROLES[action]:
        raise NotPermitted(f"your role may not record a {action}")
    if action in _CHANNEL_REQUIRED and data.channel is None:
        raise InvalidInput.field("channel", f"is required for a {action}")
    if action == StatusAction.STATUS and data.status is None:
        raise InvalidInput.field("status", "is required")
    now = clock.now()
    received_at = data.received_at or now
    if received_at > now:
        raise InvalidInput.field("received_at", "must not be in the future")
    async with db.transaction():
        row = await _visible_account(actor, account_id, for_update=True)
        current = AccountStatus(row["status"])
        try:
            target = next_status(action, current, channel=data.channel, target=data.status)
        except TransitionRefused as refused:
            raise Conflict(refused.reason, code="status_transition_refused") from None
        if action == StatusAction.CEASE and data.channel == Channel.ORAL:
            await repository.set_no_telephone(row["debtor_id"], received_at)
        if target != current:
            await repository.set_account_status(account_id, target)
        await repository.insert_status_change(
            account_id=account_id,
            client_id=row["client_id"],
            from_status=current,
            to_status=target,
            action=action,
            reason=data.reason,
            channel=data.channel,
            received_at=received_at,
            actor_id=actor.id,
        )
        await audit.record(
            actor, f"account.{action}", "account", account_id, client_id=row["client_id"],
            before={"status": current}, after={"status": target, "reason": data.reason,
            "channel": data.channel, "received_at": received_at},
        )  # fmt: skip
    return await get_account(actor, account_id)


# --- for the other domains ----------------------------------------------------------------


@dataclass(frozen=True)
class ContactContext:
    """What the contact rules need to know about an account and its person."""

    account_id: UUID
    client_id: UUID
    status: str
    status_since: datetime
    balance_cents: int
    debtor_id: UUID
    address_zone: str | None
    address_state: str | None
    no_telephone: bool
    no_telephone_since: datetime | None
    inconvenient_times: list[dict[str, Any]]
    phones: list[dict[str, Any]]
    # Every account of the same person (any client): a call may be about several.
    debtor_account_ids: list[UUID]
    # The person's other accounts of this client serviced with this one under a single
    # account number: one debt for the frequency rules (12 CFR 1006.14(b)(4)).
    serviced_with: list[UUID]
    # Every change of the status, to judge a call as of its own time.
    status_changes: list[dict[str, Any]]


def _contact_context(row: asyncpg.Record) -> ContactContext:
    return ContactContext(
        account_id=row["id"],
        client_id=row["client_id"],
        status=row["status"],
        status_since=row["status_since"],
        balance_cents=row["balance_cents"],
        debtor_id=row["debtor_id"],
        address_zone=row["time_zone"],
        address_state=row["state"],
        no_telephone=row["no_telephone"],
        no_telephone_since=row["no_telephone_since"],
        inconvenient_times=json.loads(row["inconvenient_times"] or "[]"),
        phones=[dict(zip(repository.PHONE_FIELDS, p, strict=True)) for p in row["phones"] or ()],
        debtor_account_ids=list(row["debtor_account_ids"]),
        serviced_with=list(row["serviced_with"] or ()),
        status_changes=[
            dict(zip(repository.STATUS_CHANGE_FIELDS, c, strict=True))
            for c in row["status_changes"] or ()
        ],
    )


async def contact_contexts(
    actor: Principal, account_ids: Sequence[UUID]
) -> dict[UUID, ContactContext]:
    """The contact contexts of those accounts the caller may see, by account id."""
    return {
        row["id"]: _contact_context(row)
        for row in await repository.contact_rows(account_ids)
        if actor.may_see_client(row["client_id"])
    }


async def contact_context(actor: Principal, account_id: UUID) -> ContactContext:
    found = (await contact_contexts(actor, [account_id])).get(account_id)
    if found is None:
        raise NotFound("no such account")
    return found


async def mark_phone(debtor_id: UUID, e164: str, status: str, since: datetime) -> bool:
    """A number found wrong, not in service or asked not to be called; True if it changed."""
    return await repository.set_phone_status(debtor_id, e164, status, since)


async def stop_telephone(debtor_id: UUID, since: datetime) -> None:
    """An oral request to stop calling: binds every account of the person."""
    await repository.set_no_telephone(debtor_id, since)


# --- placements ---------------------------------------------------------------------------

# Stored bytes are cut into pieces of this size: any worker reads them back one at a time.
CHUNK_BYTES = 1 << 20
# The largest line number a placement_error row can hold (a PostgreSQL integer).
MAX_LINE = 2**31 - 1


def clean_file_name(raw: str | None) -> str | None:
    """Only the last path segment, without control or format characters: a name is
    shown, never used as a path, but `../../x`, a NUL byte, or a right-to-left override
    (U+202E, which shows "report<U+202E>gpj.exe" as "reportexe.jpg") are stripped all
    the same, and `.` or `..` are no name."""
    if not raw:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = name.strip()[:255]
    return None if name.strip(".") == "" else name


def _placement_read(row: asyncpg.Record) -> PlacementRead:
    size = row["byte_size"]
    done = row["bytes_done"]
    finished = row["status"] in ("loaded", "awaiting_confirmation", "rejected")
    progress = 100 if finished else (done * 100 // size if size else 0)
    places_accounts = row["kind"] == FileKind.NEW_BUSINESS
    return PlacementRead(
        placement_id=row["id"],
        client_id=row["client_id"],
        kind=row["kind"],
        tier=row["tier"],
        file_name=row["file_name"],
        status=row["status"],
        rows_read=row["rows_read"],
        rows_accepted=row["rows_accepted"],
        rows_rejected=row["rows_rejected"],
        rows_warned=row["rows_warned"],
        progress=min(100, progress),
        fee_rate_bps=row["fee_rate_bps"],
        byte_size=size,
        sha256=row["sha256"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        rejected_reason=row["rejected_reason"],
        accounts_placed=row["rows_accepted"] if places_accounts else None,
        balance_placed_cents=row["balance_placed_cents"] if places_accounts else None,
        held_reason=row["held_reason"] if row["status"] == HELD else None,
    )


HELD = "awaiting_confirmation"
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
        await audit.record(
            actor, "placement.cancel", "placement", placement_id, client_id=row["client_id"],
            before={"status": HELD, "held_reason": row["held_reason"]},
            after={"status": "rejected", "accounts_recalled": recalled},
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
            details = (
                [
                    FieldError(f"columns.{name}", "missing from the header")
                    for name in mismatch.missing
                ]
                + [
                    FieldError(f"columns.{name}", "appears more than once")
                    for name in mismatch.duplicated
                ]
                + [
                    FieldError(f"columns.{header}", reason)
                    for _, header, reason in mismatch.contradicted
                ]
            )
            raise InvalidInput(str(mismatch), code=mismatch.code, details=details) from None

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
    are the same placement and write nothing."""
    if not actor.may_see_client(client_id):
        raise NotFound("no such client")
    if actor.role not in (Role.ADMIN, Role.CLIENT):
        raise NotPermitted("only the client or an admin places accounts")
    client = await repository.client_by_id(client_id)
    if client is None:
        raise NotFound("no such client")
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
                if existing["status"] != "rejected":
                    raise _SameBytes(existing["id"])
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
    return PlacementErrorRead(
        line=r["line"], column=r["column_name"], field=r["field"], code=r["code"],
        reason=r["reason"], severity=r["severity"],
    )  # fmt: skip


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
    owner = row_owners.get(FileKind(placement["kind"]))
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


# --- for queues ---


# --- for settlements ---


async def visible_account(actor: Principal, account_id: UUID) -> asyncpg.Record:
    """The account if the caller may see it, else NotFound."""
    return await _visible_account(actor, account_id)


async def lock_account(actor: Principal, account_id: UUID) -> asyncpg.Record:
    """The account if the caller may see it (else NotFound), locked FOR UPDATE until the
    caller's transaction ends: money movements on one account apply one at a time, so
    each sees the balance the one before it left."""
    assert db.in_transaction(), "lock_account outside a transaction locks nothing"
    return await _visible_account(actor, account_id, for_update=True)


async def lock_client_account(client_id: UUID, client_account_number: str) -> asyncpg.Record | None:
    """The client's account with this number that is placed with the agency (not
    recalled), locked FOR UPDATE until the caller's transaction ends; None if it has none.
    For a client's own files: the number is the client's, so no other client's account
    can ever be found."""
    assert db.in_transaction(), "lock_client_account outside a transaction locks nothing"
    return await repository.placed_account_by_number(client_id, client_account_number)


@dataclass(frozen=True)
class BalanceChange:
    balance_before_cents: int
    balance_after_cents: int
    status_before: AccountStatus
    status_after: AccountStatus


class MoneyAction(StrEnum):
    """What moves an account's balance; each names its status changes and audit lines."""

    PAYMENT = "payment"
    REVERSAL = "reversal"
    # The rest of a paid settlement's balance written off.
    SETTLEMENT = "settlement"
    # The client changed the balance (a financial file's adjustment).
    ADJUSTMENT = "adjustment"


# Paid off while being worked: the account is paid in full. A recalled or closed account
# keeps its status (the money is recorded all the same); a settled one already is done.
_PAID_OFF_FROM = OPEN
# A reversal that leaves something owing undoes the payoff (or the settlement).
_REOPENED_FROM = frozenset({AccountStatus.PAID_IN_FULL, AccountStatus.SETTLED_IN_FULL})


def _status_after(action: MoneyAction, current: AccountStatus, balance_cents: int) -> AccountStatus:
    if action == MoneyAction.SETTLEMENT:
        # Settled whatever is left; a recalled or closed account keeps its status, as a
        # payment leaves it.
        return AccountStatus.SETTLED_IN_FULL if current in OPEN | _REOPENED_FROM else current
    if balance_cents == 0 and current in _PAID_OFF_FROM:
        return AccountStatus.PAID_IN_FULL
    if balance_cents > 0 and current in _REOPENED_FROM:
        return AccountStatus.ACTIVE
    return current


async def apply_money_movement(
    actor: Principal,
    account: asyncpg.Record,
    delta_cents: int,
    *,
    action: MoneyAction,
    reason: str,
    at: datetime,
    paid_on: date | None = None,
) -> BalanceChange:
    """Change the balance of an account locked with `lock_account` (in the same
    transaction) by `delta_cents`, and its status as the new balance and the action
    require: paid to zero → paid_in_full; owing again after paid_in_full / settled_in_full
    → active; a settlement → settled_in_full. A status change is recorded with `action`
    and `reason` and audited. `paid_on` moves the account's last payment date."""
    assert db.in_transaction(), "a money movement outside a transaction"
    current = AccountStatus(account["status"])
    changed = await repository.change_balance(account["id"], delta_cents)
    balance = int(changed["balance_cents"])
    target = _status_after(action, current, balance)
    if paid_on is not None:
        await repository.record_payment_date(account["id"], paid_on)
    if target != current:
        await repository.set_account_status(account["id"], target)
        await repository.insert_status_change(
            account_id=account["id"],
            client_id=account["client_id"],
            from_status=current,
            to_status=target,
            action=action,
            reason=reason,
            channel=None,
            received_at=at,
            actor_id=actor.id,
        )
        await audit.record(
            actor, f"account.{action}", "account", account["id"],
            client_id=account["client_id"], before={"status": current},
            after={"status": target, "reason": reason, "received_at": at},
        )  # fmt: skip
    return BalanceChange(int(account["balance_cents"]), balance, current, target)


# --- for offers ---


async def _locked(account_id: UUID) -> asyncpg.Record:
    row = await repository.account(account_id, for_update=True)
    assert row is not None
    return row


async def settle_account(
    actor: Principal, account_id: UUID, write_off_cents: int, *, reason: str, at: datetime
) -> BalanceChange:
    """Write `write_off_cents` off the balance of an account locked with `lock_account` and
    mark it settled_in_full: the debtor paid what the accepted settlement asked, and the
    rest is forgiven. Recorded as a status change with action `settlement` and audited."""
    return await apply_money_movement(
        actor, await _locked(account_id), -write_off_cents, action=MoneyAction.SETTLEMENT,
        reason=reason, at=at,
    )  # fmt: skip


async def reinstate_write_off(
    actor: Principal, account_id: UUID, cents: int, *, reason: str, at: datetime
) -> BalanceChange:
    """Put a settlement's write-off back on the balance of a locked account (the money that
    paid the settlement was reversed): a settled_in_full or paid_in_full account owing
    again reopens as active."""
    return await apply_money_movement(
        actor, await _locked(account_id), cents, action=MoneyAction.REVERSAL, reason=reason,
        at=at,
    )  # fmt: skip
