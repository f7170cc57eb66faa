"""The account detail's "authority": what an offer on the account may be at its balance
now, in dollars, for the agency's staff. A client reads its own authority in its
settings; the section is null for it, and for an account with nothing to settle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from asyncpg import Record

from server.accounts import service as accounts
from server.auth.principal import Principal, Role
from server.clients import service as clients
from server.clients.authority import Limits, parse_authority
from server.kit import db
from server.settlements.authority import band_sentence, lowest_settlement_cents
from server.settlements.schemas import AuthorityRead, BandLimitsRead


def _limits_read(limits: Limits, balance_cents: int) -> BandLimitsRead:
    return BandLimitsRead(
        lowest_settlement_cents=lowest_settlement_cents(limits, balance_cents),
        min_percent=limits.min_percent,
        max_installments=limits.max_installments,
        max_months=limits.max_months,
        min_installment_cents=limits.min_installment_cents,
        sentence=band_sentence(limits, balance_cents),
    )


async def authority_section(actor: Principal, account_id: UUID) -> AuthorityRead | None:
    if actor.role == Role.CLIENT:
        return None
    account = await accounts.visible_account(actor, account_id)
    if int(account["balance_cents"]) <= 0:
        return None
    return _authority(account, await clients.client_settings(account["client_id"]))


def _read_authority(reading: accounts.DetailReading) -> AuthorityRead | None:
    client = reading.one("client")
    if reading.actor.role == Role.CLIENT or client is None:
        return None
    if int(reading.account["balance_cents"]) <= 0:
        return None
    return _authority(reading.account, clients.settings_of(client))


# The detail's authority in its one statement: the account's client's settings.
AUTHORITY_SECTION = accounts.DetailSection(
    parts={"client": db.bind(clients.CLIENT_SETTINGS_SQL, "$client")},
    read=_read_authority,
    staff_only=True,
)


def _authority(account: Mapping[str, Any] | Record, settings: Mapping[str, Any]) -> AuthorityRead:
    balance = int(account["balance_cents"])
    authority = parse_authority(settings["authority"])
    return AuthorityRead(
        balance_cents=balance,
        collector=_limits_read(authority.collector, balance),
        supervisor=_limits_read(authority.supervisor, balance),
    )
