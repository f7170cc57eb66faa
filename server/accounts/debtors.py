"""The person behind an account as a reader may see them.

The agency's person (`debtor`) is matched across clients; what each client supplied
about them is that client's profile, and each number names its supplier. A client (user
or API token) reads only its own profile and numbers: another client's data about the
same person, even that there is one, stays hidden. Staff and collectors read the person
whole, with who supplied what; the date of birth is in the detail for right-party
verification, never in a list or an export.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from server.accounts import preference_repository, repository
from server.accounts.schemas import (
    DebtorRead,
    LearnedAddressRead,
    MediumRefusalRead,
    PhoneRead,
    ProfileRead,
)
from server.auth.principal import Principal, Role
from server.kit.mapping import read_as

_PROFILE_FIELDS = (
    "first_name", "last_name", "date_of_birth", "ssn_last4", "address_line1", "address_line2",
    "city", "state", "zip5", "time_zone",
)  # fmt: skip


Row = Mapping[str, Any] | asyncpg.Record

_AGENCY_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR})


def reads_whole_person(actor: Principal) -> bool:
    """Fail closed: only the agency's own roles read the person whole."""
    return actor.role in _AGENCY_ROLES


async def debtor_read(actor: Principal, account: Row) -> DebtorRead:
    """The person as `actor` may see them on `account`. A client (user or token) sees only
    its own profile and the numbers it supplied or the agency learned on its accounts;
    staff and collectors see the person whole. The flat fields are the account's client's
    profile for everyone: another client's name or birth date is never the account's."""
    debtor = await repository.debtor(account["debtor_id"])
    assert debtor is not None
    own = None if reads_whole_person(actor) else account["client_id"]
    return debtor_of(
        actor,
        account,
        debtor,
        await repository.profiles(account["debtor_id"], own),
        await repository.debtor_phones(account["debtor_id"], own),
        await preference_repository.learned_addresses(account["debtor_id"], own),
    )


def debtor_of(
    actor: Principal,
    account: Row,
    debtor: Row,
    profiles: Sequence[Row],
    phones: Sequence[Row],
    learned: Sequence[Row],
) -> DebtorRead:
    """`debtor_read` of what was read: the profiles, numbers and learned addresses already
    only those the reader may see (`own` above)."""
    whole = reads_whole_person(actor)
    mine = next((p for p in profiles if p["client_id"] == account["client_id"]), None)
    flat = {name: None if mine is None else mine[name] for name in _PROFILE_FIELDS}
    return DebtorRead(
        debtor_id=debtor["id"],
        **flat,
        emails=list(mine["emails"] or []) if mine is not None else [],
        phones=[read_as(PhoneRead, p) for p in phones],
        no_telephone=debtor["no_telephone"],
        no_telephone_since=debtor["no_telephone_since"],
        inconvenient_times=json.loads(debtor["inconvenient_times"] or "[]"),
        refused_media=refused_media(debtor),
        learned_addresses=[
            read_as(LearnedAddressRead, a, current=i == 0) for i, a in enumerate(learned)
        ],
        profiles=[read_as(ProfileRead, p, emails=list(p["emails"] or [])) for p in profiles]
        if whole
        else None,
    )


def refused_media(debtor: Row) -> list[MediumRefusalRead]:
    """Every medium the person refused, oldest first. The telephone's is `no_telephone`,
    however it was closed (a refusal, or an oral cease on a call, which records no
    channel here)."""
    kept = json.loads(debtor["refused_media"] or "{}")
    found = [
        MediumRefusalRead(
            medium=medium,
            since=datetime.fromisoformat(value["since"]),
            channel=value.get("channel"),
        )
        for medium, value in kept.items()
        if medium != "telephone"
    ]
    if debtor["no_telephone"]:
        told = kept.get("telephone") or {}
        found.append(
            MediumRefusalRead(
                medium="telephone", since=debtor["no_telephone_since"], channel=told.get("channel")
            )
        )
    return sorted(found, key=lambda r: (r.since or datetime.min.replace(tzinfo=UTC), r.medium))
