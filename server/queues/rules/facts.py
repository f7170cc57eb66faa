"""What the contact rules read: account statuses, call outcomes, the person with their
numbers and stated wishes, and the calls about an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal, get_args

AccountStatus = Literal[
    "active",
    "disputed",
    "cease_communication",
    "bankruptcy",
    "deceased",
    "attorney_represented",
    "recalled",
    "paid_in_full",
    "settled_in_full",
    "closed",
]
ACCOUNT_STATUSES: tuple[AccountStatus, ...] = get_args(AccountStatus)
CALLABLE_STATUSES: frozenset[str] = frozenset({"active"})
# Disputed: the status of an account blocked by a timely written dispute or request for
# the original creditor, no collection until verification is mailed (15 U.S.C. 1692g(b),
# 12 CFR 1006.38(c), (d)(2)); an oral or late dispute leaves the account `active`, marked
# disputed (account.disputed_since), and callable (server.disputes.rules); cease: 1692c(c);
# bankruptcy: the automatic stay (11 U.S.C. 362); attorney represented: 1692c(a)(2);
# deceased, recalled, paid, settled, closed: nothing left for us to collect from this person.
BLOCKING_STATUSES: frozenset[str] = frozenset(ACCOUNT_STATUSES) - CALLABLE_STATUSES

PhoneKind = Literal["home", "mobile", "work", "other"]
PHONE_KINDS: frozenset[PhoneKind] = frozenset(get_args(PhoneKind))
PhoneStatus = Literal["valid", "wrong_number", "not_in_service", "do_not_call"]
Direction = Literal["outbound", "inbound"]
Outcome = Literal[
    "no_answer",
    "left_message",
    "busy",
    "not_in_service",
    "wrong_number",
    "third_party",
    "right_party_contact",
    "promise_to_pay",
    "refused",
    "dispute",
    "cease_request",
    "callback",
]

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

# DESIGN.md's outcome table. A call that never connected to the dialed number (busy, not
# in service) is not placed for the frequency limits (12 CFR 1006.14(b)(3)(ii)); one that
# rang out or reached voicemail did connect and counts. A wrong number reached someone
# else, so it is not a call to the consumer at all.
CONVERSATION_OUTCOMES: frozenset[str] = frozenset(
    {"right_party_contact", "promise_to_pay", "refused", "dispute", "cease_request", "callback"}
)
PLACED_OUTCOMES: frozenset[str] = CONVERSATION_OUTCOMES | {
    "no_answer",
    "left_message",
    "third_party",
}


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    kind: PhoneKind
    status: PhoneStatus = "valid"
    employer_forbids_calls: bool = False
    # IANA zones the number may be in (phonenumbers' area-code zones); () for a number that
    # says nothing about place (toll-free, non-geographic: see placements.normalize).
    zones: tuple[str, ...] = ()
    # When `status` (or the employer's ban) took effect; None = always. A recorded call is
    # judged as of its own start, so a call that led to marking the number is not itself
    # in breach of the mark.
    status_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """A time the consumer said is inconvenient (1006.6(b)(1)), in their local time.

    `weekdays` (0 = Monday; empty = every day) name the day the interval starts; an
    interval whose end is not after its start runs past midnight (22:00-09:00), and one
    whose end equals its start lasts the whole day. `zone`: the clock the consumer spoke
    of, when they named one; else their home's (`hours.stated_time_zones`).
    """

    weekdays: frozenset[int]
    start: time
    end: time
    zone: str | None = None

    def holds(self, local: datetime) -> bool:
        clock = local.time()
        day = local.weekday()
        if self.start < self.end:
            return self._on(day) and self.start <= clock < self.end
        return (self._on(day) and clock >= self.start) or (
            self._on((day - 1) % 7) and clock < self.end
        )

    def _on(self, weekday: int) -> bool:
        return not self.weekdays or weekday in self.weekdays


@dataclass(frozen=True, slots=True)
class Consumer:
    address_zone: str | None
    address_state: str | None
    phones: tuple[Phone, ...] = ()
    # An oral "stop calling" (1006.14(h)(1): a person may ask us not to use a medium).
    no_telephone: bool = False
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    no_telephone_since: datetime | None = None
    # The person's other addresses the agency holds (other clients supplied them): the
    # consumer may be at any, so each one's zone and state count too.
    other_address_zones: tuple[str, ...] = ()
    other_address_states: tuple[str, ...] = ()

    @property
    def address_zones(self) -> tuple[str, ...]:
        first = (self.address_zone,) if self.address_zone else ()
        return tuple(dict.fromkeys((*first, *self.other_address_zones)))

    @property
    def address_states(self) -> tuple[str, ...]:
        first = (self.address_state,) if self.address_state else ()
        return tuple(dict.fromkeys(s.upper() for s in (*first, *self.other_address_states)))

    def phone(self, e164: str) -> Phone | None:
        return next((p for p in self.phones if p.e164 == e164), None)


@dataclass(frozen=True, slots=True)
class AccountState:
    account_id: str
    status: AccountStatus
    # When the status took effect; None = always (see Phone.status_since).
    status_since: datetime | None = None
    # The other accounts of the person serviced together with this one under a single
    # account number when the debt was obtained: 12 CFR 1006.14(b)(4) treats them as one
    # debt, so a call about any of them counts for this one (every frequency cap, and the
    # 7 days after a conversation).
    serviced_with: frozenset[str] = frozenset()

    @property
    def debt(self) -> frozenset[str]:
        """The account ids that are this one debt for the frequency rules."""
        return self.serviced_with | {self.account_id}


@dataclass(frozen=True, slots=True)
class Consent:
    """Direct prior consent (1006.14(b)(3)(i)) given on a call: "call me back on <day>".

    It covers the calls placed on the local date of `asked_for`, within 7 days of
    `given_at`; the rules work out the dates in the zones they consider for each call.
    """

    given_at: datetime
    asked_for: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: str
    account_ids: frozenset[str]
    phone_e164: str
    direction: Direction
    started_at: datetime
    outcome: Outcome
    consent: Consent | None = None


def is_call_placed(call: CallRecord) -> bool:
    return call.direction == "outbound" and call.outcome in PLACED_OUTCOMES


def is_conversation(call: CallRecord) -> bool:
    # An inbound conversation is a conversation too: 1006.14(b)(2)(i)(B) speaks of
    # "having had a telephone conversation", whoever dialed.
    return call.outcome in CONVERSATION_OUTCOMES
