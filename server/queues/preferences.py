"""The consumer's contact preferences as the contact rules read them: the routes' use
cases over the accounts domain, where they are kept (`server.accounts.preferences`).

A number learned on a call is read the way the placement loader reads a file's numbers
(`server.placements.phones.normalize_phone`: E.164 and the zones it may ring in), so a
number the agency learned and one a client supplied ring in the same zones."""

from __future__ import annotations

from uuid import UUID

from server.accounts import preferences
from server.accounts import service as account_service
from server.accounts.schemas import (
    AccountRead,
    InconvenientTimesUpdate,
    MediumRefusalCreate,
    PhoneCreate,
    PhoneUpdate,
)
from server.auth.principal import Principal
from server.kit import clock
from server.placements.phones import normalize_phone


async def add_phone(actor: Principal, account_id: UUID, data: PhoneCreate) -> AccountRead:
    await account_service.visible_account(actor, account_id)
    refusals = preferences.Refusals()
    phone = normalize_phone(data.number.strip(), data.kind)
    if phone is None:
        refusals.add(
            "number", f"{data.number!r} is not a phone number: give all 10 digits of a US number"
        )
    received = refusals.received(data.received_at, clock.now())
    refusals.raise_any()
    assert phone is not None
    number = preferences.LearnedNumber(phone.e164, phone.time_zones)
    return await preferences.add_phone(actor, account_id, data, number, received)


async def change_phone(
    actor: Principal, account_id: UUID, phone_id: UUID, data: PhoneUpdate
) -> AccountRead:
    return await preferences.change_phone(actor, account_id, phone_id, data)


async def set_inconvenient_times(
    actor: Principal, account_id: UUID, data: InconvenientTimesUpdate
) -> AccountRead:
    return await preferences.set_inconvenient_times(actor, account_id, data)


async def refuse_medium(
    actor: Principal, account_id: UUID, data: MediumRefusalCreate
) -> AccountRead:
    return await preferences.refuse_medium(actor, account_id, data)
