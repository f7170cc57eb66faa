"""Federal and state telephone contact rules: may this account be called on this number now?

Pure: no database, no clock. The caller passes the moment, the account, the person with
their numbers and wishes, and the calls about the account; `check_call` answers before a
call is placed and `violations_of` judges a call already recorded. Both read one
evaluator, so a call the check allows can never be recorded as a breach of the same rules.

Sources: FDCPA 15 U.S.C. 1692c, Regulation F (12 CFR part 1006) and its official
interpretations, and Massachusetts 209 CMR 18.16. State frequency caps are data
(`STATE_CALL_CAPS`): another state is a row, not code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Literal, get_args

from server.queues.local_time import (
    CONTIGUOUS_US_ZONES,
    DateSpan,
    date_span,
    instants_of,
    local_date,
    local_dates,
    zone,
)

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
# Disputed: no collection until verification (15 U.S.C. 1692g(b)); cease: 1692c(c);
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


class Rule(StrEnum):
    """Stable codes of the rules; state caps add `state_<xx>_<n>_in_<days>`."""

    CONSUMER_NO_TELEPHONE = "consumer_no_telephone"
    PHONE_WRONG_NUMBER = "phone_wrong_number"
    PHONE_NOT_IN_SERVICE = "phone_not_in_service"
    PHONE_DO_NOT_CALL = "phone_do_not_call"
    PHONE_EMPLOYER_FORBIDS = "phone_employer_forbids"
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    INCONVENIENT_TIME = "inconvenient_time"
    REG_F_7_IN_7 = "reg_f_7_in_7"
    REG_F_AFTER_CONVERSATION = "reg_f_after_conversation"


def status_rule(status: str) -> str:
    return f"status_{status}"


_PHONE_STATUS_RULES: Mapping[str, Rule] = {
    "wrong_number": Rule.PHONE_WRONG_NUMBER,
    "not_in_service": Rule.PHONE_NOT_IN_SERVICE,
    "do_not_call": Rule.PHONE_DO_NOT_CALL,
}

# 12 CFR 1006.6(b)(1)(i): absent knowledge to the contrary, a convenient time is after
# 8:00 a.m. and before 9:00 p.m. at the consumer's location. Read as the half-open
# [08:00, 21:00): the industry (and our dialer) treats 08:00:00 as the first lawful second.
CALLING_HOURS_START = time(8, 0)
CALLING_HOURS_END = time(21, 0)

# 12 CFR 1006.14(b)(2)(i)(B): the date of the conversation is day 1 of the seven.
CONVERSATION_QUIET_DAYS = 7
# 12 CFR 1006.14(b)(3)(i): direct prior consent excludes calls placed within a period of
# no more than seven consecutive days after it was given.
CONSENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most `max_calls` placed calls per debt in any `days` consecutive local days.

    Only calls to numbers of `phone_kinds` count and are capped; a number we do not know
    counts for every cap. `consent_exempt`: calls under direct prior consent do not count
    (true of Regulation F, 1006.14(b)(3)(i), and of Massachusetts, 209 CMR 18.16(1)); a
    state whose law has no such exception sets it False. "Per debt" counts the accounts
    serviced together as one (`AccountState.debt`).
    """

    max_calls: int
    days: int
    phone_kinds: frozenset[str] = PHONE_KINDS
    consent_exempt: bool = True

    def code(self, prefix: str) -> str:
        return f"{prefix}_{self.max_calls}_in_{self.days}"


# 12 CFR 1006.14(b)(2)(i)(A): a call is presumed to violate the rule when placed more than
# seven times within seven consecutive days, per debt; calls under direct prior consent
# are not counted (1006.14(b)(3)(i)).
REG_F_CAP = FrequencyCap(max_calls=7, days=7)

# 209 CMR 18.16(1)(d): per debt, at most 2 calls in each 7-day period to the debtor's
# residence, cellular or other personal number, and 2 in each 30-day period to any other
# number. Counted over rolling local days like Regulation F (the conservative reading of
# "period"). 209 CMR 18.16(1) forbids these calls only when made "without the prior
# consent of the consumer given directly to the debt collector": a call under such consent
# (the same consent that takes it out of the Regulation F count) is not counted here either.
STATE_CALL_CAPS: Mapping[str, tuple[FrequencyCap, ...]] = {
    "MA": (
        FrequencyCap(max_calls=2, days=7, phone_kinds=frozenset({"home", "mobile"})),
        FrequencyCap(max_calls=2, days=30, phone_kinds=frozenset({"work", "other"})),
    ),
}


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    kind: PhoneKind
    status: PhoneStatus = "valid"
    employer_forbids_calls: bool = False
    # IANA zones the number may be in (phonenumbers' area-code zones); () for a number that
    # says nothing about place (toll-free, non-geographic: see placements.phones).
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
    whose end equals its start lasts the whole day.
    """

    weekdays: frozenset[int]
    start: time
    end: time

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


@dataclass(frozen=True, slots=True)
class CallDecision:
    allowed: bool
    rule: str | None
    reasons: tuple[str, ...] = ()
    next_callable_at: datetime | None = None


def is_call_placed(call: CallRecord) -> bool:
    return call.direction == "outbound" and call.outcome in PLACED_OUTCOMES


def is_conversation(call: CallRecord) -> bool:
    # An inbound conversation is a conversation too: 1006.14(b)(2)(i)(B) speaks of
    # "having had a telephone conversation", whoever dialed.
    return call.outcome in CONVERSATION_OUTCOMES


def check_call(
    account: AccountState,
    consumer: Consumer,
    phone_e164: str,
    at: datetime,
    history: Iterable[CallRecord],
) -> CallDecision:
    """May `account` be called on `phone_e164` at `at`, given the calls about it?

    `history` holds the calls concerning the account (a call counts for each account it
    names); only those started before `at` are considered. `next_callable_at` is the
    earliest instant >= `at` at which every time-based rule passes, or None when only a
    change of status, number or wishes would help.
    """
    judge = _Judge(account, consumer, phone_e164, at, history)
    fixed = judge.standing_breaches(at)
    timed = judge.timed_breaches(at, placed=True)
    reasons = (*fixed, *timed)
    if not reasons:
        return CallDecision(allowed=True, rule=None, reasons=(), next_callable_at=at)
    next_at = None if fixed else judge.next_clear(at)
    return CallDecision(allowed=False, rule=reasons[0], reasons=reasons, next_callable_at=next_at)


def violations_of(
    call: CallRecord,
    account: AccountState,
    consumer: Consumer,
    history: Iterable[CallRecord],
) -> tuple[str, ...]:
    """Every rule a recorded call breached, judged as of its own start.

    Only calls that started strictly before it count, so the answer depends on the set of
    calls and not on the order they were recorded: a back-dated call changes the verdict
    of the stored calls after it, and the caller re-judges those. Calls started at the
    very same instant do not count against each other.
    """
    if call.direction == "inbound":
        return ()
    judge = _Judge(account, consumer, call.phone_e164, call.started_at, history)
    fixed = judge.standing_breaches(call.started_at)
    # A call that never connected (busy, not in service, a stranger's number) is no
    # communication and no placed call: it can only breach who and what may be dialed.
    timed = judge.timed_breaches(call.started_at, placed=is_call_placed(call))
    return (*fixed, *timed)


def _applies(since: datetime | None, at: datetime) -> bool:
    return since is None or since <= at


def zones_considered(consumer: Consumer, e164: str) -> tuple[str, ...]:
    """Every zone the consumer may be in when called on `e164`; the rules hold in each.

    12 CFR 1006.6(b)(1)(i) and its commentary: when the collector has conflicting or
    uncertain information on the consumer's location, a time is convenient only if it is
    convenient in every location the consumer may be. With an address, its zone and the
    dialed number's; without one, the zones of every number on file for the person (the
    dialed one may not be where they are). A number that says nothing about place
    (toll-free, non-geographic: no zones) adds none; a number not on file may ring
    anywhere in the contiguous US; with no zone at all, every contiguous-US zone.
    """
    address = consumer.address_zone
    dialed = consumer.phone(e164)
    zones: list[str] = [address] if address else []
    if dialed is None:
        zones += CONTIGUOUS_US_ZONES
    elif address:
        zones += dialed.zones
    if not address:
        zones += (z for p in consumer.phones for z in p.zones)
    return tuple(dict.fromkeys(zones)) or CONTIGUOUS_US_ZONES


@dataclass(slots=True)
class _Judge:
    """The rules for one account, person and number over the calls before one moment.

    Dates (12 CFR 1006.14(b): calendar days at the consumer's location) are read in every
    zone the rule considers for the call: an instant belongs to each of its local dates
    there (a `DateSpan`), so a day has begun when it has begun in any of those zones and
    has ended only when it has ended in all of them. Where the consumer's date is
    uncertain, every count and block takes the reading that calls less.
    """

    account: AccountState
    consumer: Consumer
    e164: str
    until: datetime
    history: Iterable[CallRecord]
    phone: Phone | None = field(init=False)
    calls: tuple[CallRecord, ...] = field(init=False)
    conversations: tuple[CallRecord, ...] = field(init=False)
    zones: tuple[str, ...] = field(init=False)
    wish_zones: tuple[str, ...] = field(init=False)
    caps: tuple[tuple[str, FrequencyCap], ...] = field(init=False)
    wrong_numbers: frozenset[str] = field(init=False)
    consented_calls: frozenset[str] = field(init=False)
    spans: dict[str, DateSpan] = field(init=False)
    phones: dict[str, Phone] = field(init=False)
    cap_memo: dict[tuple[FrequencyCap, DateSpan, frozenset[str]], bool] = field(init=False)
    counted_memo: dict[tuple[FrequencyCap, frozenset[str]], list[DateSpan]] = field(init=False)

    def __post_init__(self) -> None:
        self.phones = {p.e164: p for p in reversed(self.consumer.phones)}
        self.phone = self.phones.get(self.e164)
        self.cap_memo = {}
        self.counted_memo = {}
        debt = self.account.debt
        self.calls = tuple(
            sorted(
                (c for c in self.history if c.started_at < self.until and c.account_ids & debt),
                key=lambda c: (c.started_at, c.call_id),
            )
        )
        self.conversations = tuple(c for c in self.calls if is_conversation(c))
        # A stranger answered: that number's calls were never calls to this consumer
        # (nor are the calls to a number marked wrong, see `_wrong_numbers`).
        self.wrong_numbers = frozenset(
            c.phone_e164 for c in self.calls if c.outcome == "wrong_number"
        )
        self.zones = zones_considered(self.consumer, self.e164)
        self.spans = {c.call_id: date_span(c.started_at, self.zones) for c in self.calls}
        self.consented_calls = frozenset(
            c.call_id for c in self.calls if self._consented(c.started_at)
        )
        # Stated inconvenient times are the consumer's own clock: their home's, else
        # every zone they might be in.
        address = self.consumer.address_zone
        self.wish_zones = (address,) if address else self.zones
        state = (self.consumer.address_state or "").upper()
        state_caps = STATE_CALL_CAPS.get(state, ())
        self.caps = (("reg_f", REG_F_CAP), *((f"state_{state.lower()}", c) for c in state_caps))

    # -- rules no waiting will cure ------------------------------------------------------

    def standing_breaches(self, at: datetime) -> tuple[str, ...]:
        found: list[str] = []
        if self.account.status not in CALLABLE_STATUSES and _applies(self.account.status_since, at):
            found.append(status_rule(self.account.status))
        if self.consumer.no_telephone and _applies(self.consumer.no_telephone_since, at):
            found.append(Rule.CONSUMER_NO_TELEPHONE)
        phone = self.phone
        if phone is not None and _applies(phone.status_since, at):
            if phone.status in _PHONE_STATUS_RULES:
                found.append(_PHONE_STATUS_RULES[phone.status])
            # 15 U.S.C. 1692c(a)(3): not at work when the employer prohibits it.
            if phone.employer_forbids_calls:
                found.append(Rule.PHONE_EMPLOYER_FORBIDS)
        return tuple(found)

    # -- rules that time cures -----------------------------------------------------------

    def timed_breaches(self, at: datetime, *, placed: bool, first: bool = False) -> list[str]:
        found: list[str] = []
        if not placed:
            return found
        if not self._in_calling_hours(at):
            found.append(Rule.OUTSIDE_CALLING_HOURS)
            if first:
                return found
        if self._inconvenient(at):
            found.append(Rule.INCONVENIENT_TIME)
            if first:
                return found
        span = date_span(at, self.zones)
        covered = self._consented(at)
        for prefix, cap in self.caps:
            if cap.consent_exempt and covered:
                continue
            if self._over_cap(cap, at, span):
                found.append(cap.code(prefix))
                if first:
                    return found
        if not covered and self._after_conversation(span):
            found.append(Rule.REG_F_AFTER_CONVERSATION)
        return found

    def _in_calling_hours(self, at: datetime) -> bool:
        return all(
            CALLING_HOURS_START <= at.astimezone(zone(z)).time() < CALLING_HOURS_END
            for z in self.zones
        )

    def _inconvenient(self, at: datetime) -> bool:
        return any(
            wish.holds(at.astimezone(zone(z)))
            for z in self.wish_zones
            for wish in self.consumer.inconvenient_times
        )

    def _kind(self, e164: str) -> str | None:
        phone = self.phones.get(e164)
        return phone.kind if phone else None

    def _wrong_numbers(self, at: datetime) -> frozenset[str]:
        marked = (
            p.e164
            for p in self.phones.values()
            if p.status == "wrong_number" and _applies(p.status_since, at)
        )
        return self.wrong_numbers.union(marked)

    def _over_cap(self, cap: FrequencyCap, at: datetime, span: DateSpan) -> bool:
        kind = self._kind(self.e164)
        if kind is not None and kind not in cap.phone_kinds:
            return False
        wrong = self._wrong_numbers(at)
        # The search for the next lawful moment asks about the same days many times.
        key = (cap, span, wrong)
        if key not in self.cap_memo:
            self.cap_memo[key] = self._count(cap, span, wrong) + 1 > cap.max_calls
        return self.cap_memo[key]

    def _count(self, cap: FrequencyCap, span: DateSpan, wrong: frozenset[str]) -> int:
        """The most calls counted in any window of `cap.days` consecutive dates that holds
        a date of `span`; a call is in a window when any of its dates is."""
        counted = self.counted_memo.get((cap, wrong))
        if counted is None:
            counted = self.counted_memo[(cap, wrong)] = [
                self.spans[call.call_id]
                for call in self.calls
                if is_call_placed(call)
                and (
                    self._kind(call.phone_e164) is None
                    or self._kind(call.phone_e164) in cap.phone_kinds
                )
                and call.phone_e164 not in wrong
                and not (cap.consent_exempt and call.call_id in self.consented_calls)
            ]
        most = 0
        first = span.first - timedelta(days=cap.days - 1)
        while first <= span.last:
            last = first + timedelta(days=cap.days - 1)
            most = max(most, sum(1 for s in counted if s.first <= last and s.last >= first))
            first += timedelta(days=1)
        return most

    def _after_conversation(self, span: DateSpan) -> bool:
        # The block's first day is the earliest date of the conversation, its seventh is
        # six days after the latest (1006.14(b)(2)(i)(B), read in every zone considered).
        return any(
            span.first <= self.spans[c.call_id].last + timedelta(days=CONVERSATION_QUIET_DAYS - 1)
            for c in self.conversations
        )

    def _consented(self, at: datetime) -> bool:
        for call in self.calls:
            consent = call.consent
            if (
                consent is None
                or not consent.given_at <= at < consent.given_at + timedelta(days=CONSENT_DAYS)
                or (consent.revoked_at is not None and at >= consent.revoked_at)
                # 1006.14(b)(3): the consent covers the day asked for, so the call must be
                # on that date in every zone the rule considers for it.
                or any(local_date(at, z) != local_date(consent.asked_for, z) for z in self.zones)
            ):
                continue
            # The consent is spent at the next conversation: the consumer has been
            # reached, and what they want now is said on that call.
            if not any(consent.given_at < c.started_at < at for c in self.conversations):
                return True
        return False

    # -- the next lawful moment ----------------------------------------------------------

    def next_clear(self, at: datetime) -> datetime | None:
        """The earliest instant >= `at` at which no time-based rule is breached.

        Every such rule is constant between the instants collected below (local midnights,
        08:00, 21:00, stated times, consent edges), so the first clear candidate is the
        answer. After the longest counting window has passed the calls
        before `at` no longer matter and what remains repeats weekly, so a horizon a
        little beyond both proves that no time will help.
        """
        longest = max([CONVERSATION_QUIET_DAYS] + [cap.days for _, cap in self.caps])
        horizon = at + timedelta(days=longest + 8)
        for candidate in self._candidates(at, horizon):
            if not self.timed_breaches(candidate, placed=True, first=True):
                return candidate
        return None

    def _candidates(self, at: datetime, horizon: datetime) -> list[datetime]:
        clocks = {time(0), CALLING_HOURS_START, CALLING_HOURS_END}
        for wish in self.consumer.inconvenient_times:
            clocks |= {wish.start, wish.end}
        instants: set[datetime] = set()
        # The wish zones are among the zones considered, and the dates of every rule turn
        # at their midnights. Clocks change at night, when calling hours are shut anyway,
        # so a stated time that a DST jump skips needs no instant of its own: the day's
        # 08:00 is a candidate.
        for z in self.zones:
            for day in local_dates(at - timedelta(days=1), horizon, z):
                for clock in clocks:
                    instants |= instants_of(day, clock, z)
        for call in self.calls:
            if call.consent is not None:
                consent = call.consent
                instants.add(consent.given_at + timedelta(days=CONSENT_DAYS))
                if consent.revoked_at is not None:
                    instants.add(consent.revoked_at)
        instants |= {p.status_since for p in self.consumer.phones if p.status_since}
        return sorted(t for t in instants if at < t <= horizon)
