"""From stored calls and an account's records to the inputs of the contact rules.

Pure, like `rules/`: the service reads the rows, these functions shape them, and
`rules.evaluator.check_call` / `violations_of` decide. Everything here is derived from
the set of stored calls and the dates things were received, never from the order in
which they were recorded, so a history recorded back-dated is judged as the same history
recorded as it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from server.kit.mapping import read_as
from server.queues.rules import facts
from server.queues.rules.facts import (
    AccountState,
    CallRecord,
    Consent,
    Consumer,
    InconvenientTime,
    Phone,
)

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")

# Outcomes that mark the dialed number, and what they mark it as.
PHONE_MARKS: Mapping[str, facts.PhoneStatus] = {
    "wrong_number": "wrong_number",
    "not_in_service": "not_in_service",
}

# The kinds of number tried first when the caller names none: the consumer's own
# numbers before a work number (where the employer may object).
_KIND_PREFERENCE = {"mobile": 0, "home": 1, "other": 2, "work": 3}


@dataclass(frozen=True, slots=True)
class StoredCall:
    """The current version of a call, with the accounts it counts for."""

    id: UUID
    chain_id: UUID
    collector_id: UUID
    phone_e164: str
    direction: facts.Direction
    started_at: datetime
    duration_s: int
    outcome: facts.Outcome
    consent: Consent | None
    # account id -> client id
    accounts: Mapping[UUID, UUID]

    @property
    def effective_at(self) -> datetime:
        return effective_at(self.started_at, self.duration_s)

    def record(self) -> CallRecord:
        # The chain id: every version of a call is the same call for the rules.
        return CallRecord(
            call_id=str(self.chain_id),
            account_ids=frozenset(str(a) for a in self.accounts),
            phone_e164=self.phone_e164,
            direction=self.direction,
            started_at=self.started_at,
            outcome=self.outcome,
            consent=self.consent,
        )


def effective_at(started_at: datetime, duration_s: int) -> datetime:
    """When what the consumer said on a call takes effect: as the call ends, so that the
    call that brought a dispute or a wrong number to light is not itself in breach of it."""
    return started_at + max(timedelta(seconds=duration_s), timedelta(microseconds=1))


def best_phone(phones: Sequence[Mapping[str, Any]]) -> str | None:
    """The number to try when none is named: a valid one, the consumer's own first."""
    usable = [p for p in phones if p["status"] == "valid"]
    usable.sort(key=lambda p: (p["employer_forbids_calls"], _KIND_PREFERENCE.get(p["kind"], 9)))
    return str(usable[0]["e164"]) if usable else None


def account_at(
    account_id: UUID,
    current_status: str,
    changes: Sequence[Mapping[str, Any]],
    at: datetime,
    serviced_with: Iterable[UUID] = (),
) -> AccountState:
    """The status in force at `at` and since when, from the account's status changes
    ordered by when each was received (a change may be recorded after a later one), and
    the accounts serviced together with it (one debt, 12 CFR 1006.14(b)(4))."""
    together = frozenset(str(a) for a in serviced_with)
    # An action that left the status as it was (an oral cease) changed nothing here.
    moves = [c for c in changes if c["from_status"] != c["to_status"]]
    ordered = sorted(moves, key=lambda c: (c["received_at"], c["created_at"]))
    if not ordered:
        return AccountState(str(account_id), _status(current_status), serviced_with=together)
    before = [c for c in ordered if c["received_at"] <= at]
    if not before:
        return AccountState(
            str(account_id), _status(ordered[0]["from_status"]), serviced_with=together
        )
    last = before[-1]
    # After the last change, the stored status is the truth (it may have been moved by
    # another domain without a change of its own).
    status = current_status if last is ordered[-1] else last["to_status"]
    return AccountState(
        str(account_id), _status(status), status_since=last["received_at"],
        serviced_with=together,
    )  # fmt: skip


def _status(value: str) -> facts.AccountStatus:
    if value not in facts.ACCOUNT_STATUSES:
        raise ValueError(f"unknown account status {value!r}")
    return value


def consumer_of(
    *,
    address_zones: Sequence[str],
    address_states: Sequence[str],
    no_telephone: bool,
    no_telephone_since: datetime | None,
    inconvenient_times: Iterable[Mapping[str, Any]],
    phones: Iterable[Mapping[str, Any]],
    calls: Iterable[StoredCall],
) -> Consumer:
    """The person as the rules see them. A number marked by a call is marked from the
    earliest stored call that found it out, whichever was recorded first."""
    found: dict[tuple[str, str], datetime] = {}
    for call in calls:
        mark = PHONE_MARKS.get(call.outcome)
        if mark is not None:
            key = (call.phone_e164, mark)
            found[key] = min(found.get(key, call.effective_at), call.effective_at)
    converted = []
    for p in phones:
        since = p["status_since"]
        earliest = found.get((p["e164"], p["status"]))
        if since is not None and earliest is not None:
            since = min(since, earliest)
        converted.append(read_as(Phone, p, zones=tuple(p["time_zones"] or ()), status_since=since))
    return Consumer(
        address_zone=address_zones[0] if address_zones else None,
        address_state=address_states[0] if address_states else None,
        other_address_zones=tuple(address_zones[1:]),
        other_address_states=tuple(address_states[1:]),
        phones=tuple(converted),
        no_telephone=no_telephone,
        no_telephone_since=no_telephone_since,
        inconvenient_times=tuple(_wish(w) for w in inconvenient_times),
    )


def _wish(raw: Mapping[str, Any]) -> InconvenientTime:
    return InconvenientTime(
        weekdays=frozenset(int(d) for d in raw.get("weekdays") or ()),
        start=time.fromisoformat(raw["start"]),
        end=time.fromisoformat(raw["end"]),
        zone=raw.get("zone") or None,
    )
