"""The consumer's contact preferences, written by the agency's staff on an account: a
number learned on a call, a number's status and the employer's ban, stated inconvenient
times, a refused medium. They live on the person (`debtor`, `debtor_phone`), so each binds
every account of the person, whichever client placed it (12 CFR 1006.6(b)(1),
1006.14(h), 15 U.S.C. 1692c(a)(3)). Each write is audited with how the consumer told us
(`channel`) and when (`received_at`), and answers the account's detail as read after it.

A number learned on a client's account is that client's row of the number
(`learned_on_account_id` the account): the client sees it with the numbers it supplied,
no other client does (`debtors.debtor_read`). The routes are in `controllers.py`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID
from zoneinfo import available_timezones

from server.accounts import preference_repository, repository
from server.accounts.schemas import (
    AccountRead,
    AddressChange,
    InconvenientTimesUpdate,
    Medium,
    MediumRefusalCreate,
    PhoneCreate,
    PhoneKind,
    PhoneUpdate,
)
from server.accounts.service import get_account, visible_account
from server.audit import service as audit
from server.auth.principal import Principal
from server.kit import clock, db
from server.kit.errors import Conflict, FieldError, InvalidInput, NotFound
from server.kit.zip_codes import zip_table

# A received time a little ahead of ours is another machine's clock, not the future.
CLOCK_SKEW = timedelta(minutes=5)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A ZIP as people write it: five digits, or ZIP+4.
_ZIP = re.compile(r"^([0-9]{5})(-[0-9]{4})?$")
# 15 U.S.C. 1692c(a)(3): the consumer's employer prohibits calls at the place of work.
_NOT_AT_WORK = "only a work number's employer forbids calls: this is not a work number"


class WrongFields:
    """The wrong fields of one request, gathered so that one 422 names every one."""

    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, field: str, reason: str) -> None:
        self.found.append(FieldError(field, reason))

    def received(self, moment: datetime | None, now: datetime) -> datetime:
        """When the consumer told us (default now): not before 1970, not in the future."""
        received = moment or now
        try:
            latest = now + CLOCK_SKEW
            clock.refuse_outside("received_at", received, latest, "must not be in the future")
        except InvalidInput as refused:
            self.found.extend(refused.details)
        return received

    def blank(self, field: str, text: str) -> None:
        if not text.strip():
            self.add(field, "must not be blank")

    def raise_any(self) -> None:
        if self.found:
            message = "; ".join(f"{e.field}: {e.reason}" for e in self.found)
            raise InvalidInput(message, details=self.found)


@dataclass(frozen=True)
class LearnedNumber:
    """A number as read from what the caller typed: E.164 and the zones it may ring in."""

    e164: str
    time_zones: Sequence[str]


# How a number is read: the placement loader's reading (placements sits above accounts),
# registered at start-up by `server.wiring`, so that a number learned on a call rings in
# the zones the same number in a client's file would. (typed text, kind) -> the number,
# or None when it is no number.
PhoneReader = Callable[[str, str], LearnedNumber | None]
_phone_reader: list[PhoneReader] = []


def use_phone_reader(reader: PhoneReader) -> None:
    _phone_reader[:] = [reader]


def _read_phone(text: str, kind: str) -> LearnedNumber | None:
    assert _phone_reader, "no phone reader registered (server.wiring.wire)"
    return _phone_reader[0](text.strip(), kind)


def _effective(received: datetime, now: datetime) -> datetime:
    # In force from when the consumer told us, never later than now: a call checked right
    # after the write is judged with it.
    return min(received, now)


async def add_phone(actor: Principal, account_id: UUID, data: PhoneCreate) -> AccountRead:
    """Keep a number learned on the account as its client's row; it starts with the
    status and ban the number already has for the person. The client's row of it already
    there: 409 `phone_exists`, nothing written."""
    await visible_account(actor, account_id)
    wrong = WrongFields()
    number = _read_phone(data.number, data.kind)
    if number is None:
        wrong.add(
            "number", f"{data.number!r} is not a phone number: give all 10 digits of a US number"
        )
    if data.employer_forbids_calls and data.kind != PhoneKind.WORK:
        wrong.add("employer_forbids_calls", _NOT_AT_WORK)
    received = wrong.received(data.received_at, clock.now())
    wrong.raise_any()
    assert number is not None
    async with db.transaction():
        account = await visible_account(actor, account_id)
        debtor_id = account["debtor_id"]
        await repository.debtor(debtor_id, for_update=True)
        known = await preference_repository.number_state(debtor_id, number.e164)
        forbids = data.employer_forbids_calls or bool(known and known["employer_forbids_calls"])
        phone_id = await preference_repository.insert_learned_phone(
            debtor_id=debtor_id, client_id=account["client_id"], account_id=account_id,
            e164=number.e164, kind=data.kind,
            status=known["status"] if known else "valid",
            status_since=known["status_since"] if known else None,
            employer_forbids_calls=forbids, time_zones=list(number.time_zones),
        )  # fmt: skip
        if phone_id is None:
            existing = await preference_repository.row_of_client(
                debtor_id, number.e164, account["client_id"]
            )
            raise Conflict(
                "the number is already one of this person's on this client's accounts"
                f" (phone {existing}): change that one",
                code="phone_exists",
                details=[FieldError("number", "is already a number of this person")],
            )
        if forbids:
            await preference_repository.set_employer_forbids(debtor_id, number.e164, True)
        await audit.record(
            actor, "debtor.phone.add", "debtor", debtor_id, client_id=account["client_id"],
            after={"account_id": str(account_id), "phone_id": str(phone_id),
                   "e164": number.e164, "kind": data.kind, "employer_forbids_calls": forbids,
                   "channel": data.channel, "received_at": received},
        )  # fmt: skip
    return await get_account(actor, account_id)


async def change_phone(
    actor: Principal, account_id: UUID, phone_id: UUID, data: PhoneUpdate
) -> AccountRead:
    """Set a number's status and/or the employer's ban, on every supplier's row of it:
    the number's, for the person. Another person's number: 404."""
    await visible_account(actor, account_id)
    now = clock.now()
    wrong = WrongFields()
    wrong.blank("reason", data.reason)
    received = wrong.received(data.received_at, now)
    if data.status is None and data.employer_forbids_calls is None:
        wrong.add("status", "give status or employer_forbids_calls (or both)")
    wrong.raise_any()
    async with db.transaction():
        account = await visible_account(actor, account_id)
        debtor_id = account["debtor_id"]
        await repository.debtor(debtor_id, for_update=True)
        phone = await preference_repository.phone_of_person(phone_id, debtor_id)
        if phone is None:
            raise NotFound("no such phone of this account's person")
        if data.employer_forbids_calls and phone["kind"] != PhoneKind.WORK:
            raise InvalidInput.field("employer_forbids_calls", _NOT_AT_WORK)
        before = {k: phone[k] for k in ("status", "employer_forbids_calls")}
        after: dict[str, Any] = {}
        if data.status is not None:
            await repository.set_phone_status(
                debtor_id, phone["e164"], data.status, _effective(received, now)
            )
            after["status"] = data.status
        if data.employer_forbids_calls is not None:
            await preference_repository.set_employer_forbids(
                debtor_id, phone["e164"], data.employer_forbids_calls
            )
            after["employer_forbids_calls"] = data.employer_forbids_calls
        await audit.record(
            actor, "debtor.phone.change", "debtor", debtor_id, client_id=account["client_id"],
            before=before,
            after={**after, "account_id": str(account_id), "phone_id": str(phone_id),
                   "e164": phone["e164"], "reason": data.reason, "channel": data.channel,
                   "received_at": received},
        )  # fmt: skip
    return await get_account(actor, account_id)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def stored_times(data: InconvenientTimesUpdate, wrong: WrongFields) -> list[dict[str, Any]]:
    """The list as the rules read it (rules.facts.InconvenientTime): weekdays 0 = Monday,
    start and end "HH:MM", and the zone the consumer spoke in when they named one."""
    zones = _zone_names()
    stored = []
    for i, time_ in enumerate(data.times):
        if time_.start == time_.end:
            wrong.add(f"times[{i}].to", "must differ from `from`")
        if time_.zone is not None and time_.zone not in zones:
            wrong.add(f"times[{i}].zone", f"{time_.zone!r} is not an IANA time zone name")
        entry: dict[str, Any] = {
            "weekdays": sorted({WEEKDAYS.index(d) for d in time_.days}),
            "start": time_.start,
            "end": time_.end,
        }
        if time_.zone is not None:
            entry["zone"] = time_.zone
        stored.append(entry)
    return stored


async def set_inconvenient_times(
    actor: Principal, account_id: UUID, data: InconvenientTimesUpdate
) -> AccountRead:
    """Replace the person's stated inconvenient times (an empty list clears them)."""
    await visible_account(actor, account_id)
    now = clock.now()
    wrong = WrongFields()
    times = stored_times(data, wrong)
    received = wrong.received(data.received_at, now)
    wrong.raise_any()
    async with db.transaction():
        account = await visible_account(actor, account_id)
        debtor_id = account["debtor_id"]
        debtor = await repository.debtor(debtor_id, for_update=True)
        assert debtor is not None
        await preference_repository.set_inconvenient_times(debtor_id, json.dumps(times))
        await audit.record(
            actor, "debtor.inconvenient_times", "debtor", debtor_id,
            client_id=account["client_id"],
            before={"inconvenient_times": json.loads(debtor["inconvenient_times"] or "[]")},
            after={"inconvenient_times": times, "account_id": str(account_id),
                   "channel": data.channel, "received_at": received},
        )  # fmt: skip
    return await get_account(actor, account_id)


async def refuse_medium(
    actor: Principal, account_id: UUID, data: MediumRefusalCreate
) -> AccountRead:
    """Record that the consumer refused a medium: the telephone closes it for the person
    (`no_telephone`, the contact rules' 1006.14(h)); e-mail and text are kept for the
    senders to honour. Asked again, the refusal binds from the earliest request."""
    await visible_account(actor, account_id)
    now = clock.now()
    wrong = WrongFields()
    received = wrong.received(data.received_at, now)
    wrong.raise_any()
    since = _effective(received, now)
    async with db.transaction():
        account = await visible_account(actor, account_id)
        debtor_id = account["debtor_id"]
        await repository.debtor(debtor_id, for_update=True)
        if data.medium == Medium.TELEPHONE:
            await repository.set_no_telephone(debtor_id, since)
        await preference_repository.refuse_medium(
            debtor_id, data.medium, since, data.channel, received
        )
        await audit.record(
            actor, "debtor.medium_refusal", "debtor", debtor_id, client_id=account["client_id"],
            after={"medium": data.medium, "account_id": str(account_id),
                   "channel": data.channel, "received_at": received},
        )  # fmt: skip
    return await get_account(actor, account_id)


def _zip_place(data: AddressChange, wrong: WrongFields) -> tuple[str, str, str | None]:
    """(ZIP5, state, zone) the address's ZIP names; the state given must be the ZIP's."""
    written = _ZIP.match(data.zip.strip())
    found = zip_table().get(written.group(1)) if written else None
    if written is None:
        wrong.add("zip", f"{data.zip!r} is not a ZIP code: give 5 digits, or ZIP+4 (12345-6789)")
        return "", "", None
    if found is None:
        wrong.add("zip", f"{written.group(1)} is not a US ZIP code")
        return "", "", None
    state, zone = found
    given = (data.state or "").strip().upper()
    if given and given != state:
        wrong.add("state", f"{given!r} is not the state of ZIP {written.group(1)} ({state})")
    return written.group(1), state, zone


async def change_address(actor: Principal, account_id: UUID, data: AddressChange) -> AccountRead:
    """Keep the address the consumer gave on the account: learned on it, so its client sees
    it and no other does; the newest one binds the contact rules (its zone and state)
    for every account of the person, and the older ones stay as history."""
    await visible_account(actor, account_id)
    wrong = WrongFields()
    wrong.blank("address_line1", data.address_line1)
    wrong.blank("city", data.city)
    zip5, state, zone = _zip_place(data, wrong)
    received = wrong.received(data.received_at, clock.now())
    wrong.raise_any()
    line2 = (data.address_line2 or "").strip() or None
    lines = (data.address_line1.strip(), line2, data.city.strip(), state, zip5)
    async with db.transaction():
        account = await visible_account(actor, account_id)
        debtor_id = account["debtor_id"]
        await repository.debtor(debtor_id, for_update=True)
        before = await preference_repository.learned_addresses(debtor_id, None)
        address_id = await preference_repository.insert_learned_address(
            debtor_id=debtor_id, client_id=account["client_id"], account_id=account_id,
            lines=lines, time_zone=zone, channel=data.channel, received_at=received,
            recorded_by=actor.id,
        )  # fmt: skip
        await audit.record(
            actor, "debtor.address.change", "debtor", debtor_id, client_id=account["client_id"],
            before={"address_id": str(before[0]["address_id"])} if before else None,
            after={"address_id": str(address_id), "account_id": str(account_id),
                   "zip5": zip5, "state": state, "time_zone": zone, "channel": data.channel,
                   "received_at": received},
        )  # fmt: skip
    return await get_account(actor, account_id)
