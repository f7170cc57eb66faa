"""What the contact rules need of an account and its person, read for the other domains
(queues, dispatch) through the accounts service."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import repository
from server.auth.principal import Principal
from server.kit.errors import NotFound


@dataclass(frozen=True)
class ContactContext:
    """What the contact rules need to know about an account and its person."""

    account_id: UUID
    client_id: UUID
    status: str
    status_since: datetime
    balance_cents: int
    debtor_id: UUID
    # Every address the agency holds for the person (any client's profile), the
    # account's own client's first: the rules hold in each.
    address_zones: list[str]
    address_states: list[str]
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


def _contact_context(row: Mapping[str, Any] | asyncpg.Record) -> ContactContext:
    return ContactContext(
        account_id=row["id"],
        client_id=row["client_id"],
        status=row["status"],
        status_since=row["status_since"],
        balance_cents=row["balance_cents"],
        debtor_id=row["debtor_id"],
        address_zones=list(row["address_zones"] or ()),
        address_states=list(row["address_states"] or ()),
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


def contact_rows_sql(accounts: str) -> str:
    """The SQL of the contact rows of the accounts `accounts` names (an SQL expression of
    a uuid[]), for a domain above that reads them within a statement of its own: its
    columns are what `visible_contact_context` reads back."""
    return repository.contact_rows_sql(accounts)


def visible_contact_context(
    actor: Principal, row: Mapping[str, Any] | asyncpg.Record
) -> ContactContext | None:
    """A row of `contact_rows_sql` as its context; None where the caller may not see the
    account's client."""
    return _contact_context(row) if actor.may_see_client(row["client_id"]) else None


async def contact_contexts(
    actor: Principal, account_ids: Sequence[UUID]
) -> dict[UUID, ContactContext]:
    """The contact contexts of those accounts the caller may see, by account id."""
    found = (
        visible_contact_context(actor, row) for row in await repository.contact_rows(account_ids)
    )
    return {ctx.account_id: ctx for ctx in found if ctx is not None}


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
