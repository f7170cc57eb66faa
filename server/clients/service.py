"""Clients (creditors): their settings, and what other domains ask about them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.clients import repository
from server.clients.authority import AuthorityInvalid, parse_authority
from server.clients.column_map import (
    ColumnMap,
    FileKind,
    InvalidColumnMap,
    parse_column_map,
)
from server.clients.errors import ClientNameTaken
from server.clients.schemas import ClientCreate, ClientRead, ClientUpdate, PaymentMethod, Tier
from server.kit import db
from server.kit.errors import FieldError, InvalidInput, NotFound, NotPermitted
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page

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
    return read_as(ClientRead, row, client_id=row["id"])


def _settings_errors(values: dict[str, Any]) -> list[FieldError]:
    """Everything wrong with a client's settings at once, each with its field path."""
    errors: list[FieldError] = []
    if Tier.PRIMARY not in values["fee_rates_bps"]:
        errors.append(FieldError("fee_rates_bps.primary", "is required"))
    try:
        parse_authority(values["authority"])
    except AuthorityInvalid as invalid:
        errors.extend(invalid.errors)
    return errors + _column_map_errors(values["column_map"])


def _column_map_errors(column_map: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for kind, raw in column_map.items():
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
            "grace_days": data.grace_days,
            "itemization_date": data.itemization_date,
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
    return await _update(actor, client_id, "client.update", lambda _: changes)


async def _update(
    actor: Principal,
    client_id: UUID,
    action: str,
    make_changes: Callable[[dict[str, Any]], dict[str, Any]],
) -> ClientRead:
    """Every change of a client's settings: `make_changes(stored)` on the locked row, the
    whole result validated (`_check`), written, and audited with before and after."""
    async with db.transaction():
        before = await repository.client_by_id(client_id, for_update=True)
        if before is None:
            raise NotFound("no such client")
        stored = {k: v for k, v in before.items() if k not in ("id", "created_at", "updated_at")}
        changes = make_changes(stored)
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
            actor, action, "client", client_id, client_id=client_id,
            before=_plain(stored), after=values,
        )  # fmt: skip
        return _read(row)


def check_column_map(kind: FileKind, raw: dict[str, Any]) -> ColumnMap:
    """A column map as a client's settings would hold it, checked as the admin's update
    checks it (the same field paths: `column_map.<kind>.<path>`)."""
    errors = _column_map_errors({kind.value: raw})
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.reason}" for e in errors), details=errors)
    return parse_column_map(raw, kind)


async def set_column_map(
    actor: Principal, client_id: UUID, kind: FileKind, raw: dict[str, Any]
) -> ClientRead:
    """The client's own users (and admins) set the column map of one kind of its files,
    through the same validation and audit as the admin's update. An API token may not: a
    script sending files must not be able to change how they are read."""
    if not actor.may_see_client(client_id):
        raise NotFound("no such client")
    if actor.kind != "user" or actor.role not in (Role.ADMIN, Role.CLIENT):
        raise NotPermitted("only the client's users or an admin change its column map")
    try:
        check_column_map(kind, raw)
    except InvalidInput as invalid:
        # Named as in the request's body: `column_map.<path>`.
        prefix = f"column_map.{kind.value}"
        details = [FieldError("column_map" + d.field.removeprefix(prefix), d.reason)
                   for d in invalid.details]  # fmt: skip
        raise InvalidInput(
            "; ".join(f"{e.field}: {e.reason}" for e in details), details=details
        ) from None
    return await _update(
        actor, client_id, "client.column_map",
        lambda stored: {"column_map": {**stored["column_map"], kind.value: raw}},
    )  # fmt: skip


async def get_client(actor: Principal, client_id: UUID) -> ClientRead:
    if not actor.may_see_client(client_id):
        raise NotFound("no such client")
    row = await repository.client_by_id(client_id)
    if row is None:
        raise NotFound("no such client")
    return _read(row)


async def client_id_named(name: str) -> UUID | None:
    return await repository.client_id_named(name)


# client_settings within a statement of another domain's: $1 the client; `settings_of`
# reads its row back.
CLIENT_SETTINGS_SQL = repository.CLIENT_BY_ID_SQL


def settings_of(row: Mapping[str, Any] | asyncpg.Record) -> dict[str, Any]:
    return repository.client_row(row)


async def client_settings(client_id: UUID) -> dict[str, Any]:
    """For other domains' services: the client's stored settings (fees, holds, authority)."""
    row = await repository.client_by_id(client_id)
    if row is None:
        raise NotFound("no such client")
    return row


async def clients_settings(client_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """client_settings of many clients at once, by id; unknown ids are left out."""
    return {row["id"]: row for row in await repository.clients_by_ids(client_ids)}


async def client_names(actor: Principal) -> list[asyncpg.Record]:
    """(id, name, status) of every client the caller may see, by name."""
    return await repository.client_names(actor.visible_clients())


async def list_clients(actor: Principal, page: PageRequest) -> Page[ClientRead]:
    rows = await repository.list_clients(actor.visible_clients(), page.after, page.fetch_limit)
    reads = [_read(row) for row in rows]
    return make_page(reads, page, key=lambda c: (c.created_at, c.client_id))
