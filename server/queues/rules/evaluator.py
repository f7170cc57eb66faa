"""The contact rules' evaluator: `check_call` before a call is placed and `violations_of`
for a call already recorded, both reading one evaluator over every rule of the package
(statuses and numbers here; hours, frequency and state caps in their own modules), so a
call the check allows can never be recorded as a breach of the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from server.queues.local_time import DateSpan, date_span, instants_of, local_dates
from server.queues.rules.facts import (
    CALLABLE_STATUSES,
    AccountState,
    CallRecord,
    Consumer,
    Phone,
    is_call_placed,
    is_conversation,
)
from server.queues.rules.frequency import (
    CONVERSATION_QUIET_DAYS,
    ConsentWindow,
    FrequencyCap,
    after_conversation,
    consent_windows,
    most_in_any_window,
)
from server.queues.rules.hours import (
    CALLING_HOURS_END,
    CALLING_HOURS_START,
    at_inconvenient_time,
    in_calling_hours,
    stated_time_zones,
    zones_considered,
)
from server.queues.rules.state_caps import caps_for


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


@dataclass(frozen=True, slots=True)
class CallDecision:
    allowed: bool
    rule: str | None
    reasons: tuple[str, ...] = ()
    next_callable_at: datetime | None = None


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


@dataclass(frozen=True, slots=True)
class CapCount:
    """Where a debt stands against one frequency cap at a moment: `counted` calls in the
    fullest window of `days` local days that holds that moment, of `max_calls` allowed."""

    rule: str
    max_calls: int
    days: int
    phone_kinds: tuple[str, ...]
    counted: int


@dataclass(frozen=True, slots=True)
class FrequencyStanding:
    """The frequency rules' counters for a debt at a moment, as `check_call` reads them."""

    caps: tuple[CapCount, ...]
    last_conversation_at: datetime | None
    # The first local date after the 7-day block of the last conversation
    # (1006.14(b)(2)(i)(B)), read on the zone that ends it latest; None: no conversation.
    block_ends_before: date | None
    consent_in_force: bool
    # The consents whose 7 days have not ended: in force, revoked or spent.
    consents: tuple[ConsentWindow, ...]


def frequency_standing(
    account: AccountState,
    consumer: Consumer,
    phone_e164: str,
    at: datetime,
    history: Iterable[CallRecord],
) -> FrequencyStanding:
    """The calls each cap counts against the debt at `at` (on `phone_e164`: its kind and
    zones decide which caps cover it and which days are "today"), the last conversation
    and the end of its block: the same counts `check_call` compares with the caps."""
    judge = _Judge(account, consumer, phone_e164, at, history)
    span = date_span(at, judge.zones)
    wrong = judge._wrong_numbers(at)
    caps = tuple(
        CapCount(
            rule=cap.code(prefix),
            max_calls=cap.max_calls,
            days=cap.days,
            phone_kinds=tuple(sorted(cap.phone_kinds)),
            counted=judge._count(cap, span, wrong),
        )
        for prefix, cap in judge.caps
    )
    last = judge.conversations[-1] if judge.conversations else None
    return FrequencyStanding(
        caps=caps,
        last_conversation_at=last.started_at if last else None,
        block_ends_before=(
            max(judge.spans[c.call_id].last for c in judge.conversations)
            + timedelta(days=CONVERSATION_QUIET_DAYS)
            if judge.conversations
            else None
        ),
        consent_in_force=judge._consented(at),
        consents=tuple(w for w in judge.consents if w.ends_at > at),
    )


def _applies(since: datetime | None, at: datetime) -> bool:
    return since is None or since <= at


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
    consents: tuple[ConsentWindow, ...] = field(init=False)
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
        self.consents = tuple(consent_windows(self.calls, self.conversations))
        self.consented_calls = frozenset(
            c.call_id for c in self.calls if self._consented(c.started_at)
        )
        self.wish_zones = stated_time_zones(self.consumer, self.zones)
        self.caps = caps_for(*self.consumer.address_states)

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
        if not in_calling_hours(at, self.zones):
            found.append(Rule.OUTSIDE_CALLING_HOURS)
            if first:
                return found
        if at_inconvenient_time(at, self.consumer.inconvenient_times, self.wish_zones):
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
        conversations = (self.spans[c.call_id] for c in self.conversations)
        if not covered and after_conversation(span, conversations):
            found.append(Rule.REG_F_AFTER_CONVERSATION)
        return found

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
        if not cap.covers(self._kind(self.e164)):
            return False
        wrong = self._wrong_numbers(at)
        # The search for the next lawful moment asks about the same days many times.
        key = (cap, span, wrong)
        if key not in self.cap_memo:
            self.cap_memo[key] = self._count(cap, span, wrong) + 1 > cap.max_calls
        return self.cap_memo[key]

    def _count(self, cap: FrequencyCap, span: DateSpan, wrong: frozenset[str]) -> int:
        """The most calls `cap` counts in any of its windows that holds a date of `span`."""
        counted = self.counted_memo.get((cap, wrong))
        if counted is None:
            counted = self.counted_memo[(cap, wrong)] = [
                self.spans[call.call_id]
                for call in self.calls
                if is_call_placed(call)
                and cap.covers(self._kind(call.phone_e164))
                and call.phone_e164 not in wrong
                and not (cap.consent_exempt and call.call_id in self.consented_calls)
            ]
        return most_in_any_window(cap.days, span, counted)

    def _consented(self, at: datetime) -> bool:
        return any(w.covers(at, self.zones) for w in self.consents)

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
        # A stated time on a clock the consumer named turns at that clock's own instants.
        for wish in self.consumer.inconvenient_times:
            if wish.zone is not None and wish.zone not in self.zones:
                for day in local_dates(at - timedelta(days=1), horizon, wish.zone):
                    for clock in (wish.start, wish.end):
                        instants |= instants_of(day, clock, wish.zone)
        for consent in self.consents:
            instants.add(consent.ends_at)
            if consent.revoked_at is not None:
                instants.add(consent.revoked_at)
        instants |= {p.status_since for p in self.consumer.phones if p.status_since}
        return sorted(t for t in instants if at < t <= horizon)
