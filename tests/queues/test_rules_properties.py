"""Random call histories: the check never allows a call that the rules would flag."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.queues.local_time import CONTIGUOUS_US_ZONES
from server.queues.rules.evaluator import check_call, violations_of
from server.queues.rules.facts import (
    ACCOUNT_STATUSES,
    CALLABLE_STATUSES,
    OUTCOMES,
    PLACED_OUTCOMES,
    AccountState,
    CallRecord,
    Consent,
    Consumer,
    InconvenientTime,
    Outcome,
    Phone,
    is_call_placed,
    is_conversation,
)

NUMBERS = ("+12125550101", "+12125550102", "+13105550103")
UNKNOWN = "+13125550199"
# Starts a week before the 2024 spring-forward, so histories straddle a DST change.
START = datetime(2024, 3, 3, tzinfo=UTC)
HISTORY_DAYS = 10
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

zones = st.sampled_from(CONTIGUOUS_US_ZONES)
_rarely = st.integers(0, 2**16).map(lambda n: n % 20 == 7)
instants = st.integers(0, HISTORY_DAYS * 24 * 60).map(lambda m: START + timedelta(minutes=m))


@st.composite
def phones(draw: st.DrawFn, e164: str) -> Phone:
    return Phone(
        e164=e164,
        kind=draw(st.sampled_from(["home", "mobile", "work", "other"])),
        status=draw(
            st.sampled_from(["valid"] * 12 + ["wrong_number", "not_in_service", "do_not_call"])
        ),
        employer_forbids_calls=draw(_rarely),
        zones=tuple(draw(st.lists(zones, max_size=2, unique=True))),
    )


inconvenient = st.builds(
    InconvenientTime,
    weekdays=st.frozensets(st.integers(0, 6), max_size=3),
    start=st.sampled_from([time(8), time(9), time(12), time(18), time(20, 30)]),
    end=st.sampled_from([time(9), time(12), time(17), time(8, 30), time(10)]),
)


@st.composite
def consumers(draw: st.DrawFn) -> Consumer:
    return Consumer(
        address_zone=draw(st.none() | zones),
        address_state=draw(st.sampled_from([None, "NY", "MA", "ma"])),
        phones=tuple(draw(phones(e164)) for e164 in NUMBERS),
        no_telephone=draw(_rarely),
        inconvenient_times=tuple(draw(st.lists(inconvenient, max_size=1))),
    )


@st.composite
def histories(draw: st.DrawFn, *, until: datetime | None = None) -> list[CallRecord]:
    calls: list[CallRecord] = []
    # Bursts of calls on a few days, so that the frequency caps are reached.
    busy_days = draw(st.lists(st.integers(0, HISTORY_DAYS - 1), min_size=1, max_size=3))
    burst = st.builds(
        lambda day, minute: START + timedelta(days=day, minutes=minute),
        st.sampled_from(busy_days),
        st.integers(12 * 60, 24 * 60),
    )
    for i in range(draw(st.integers(0, 30))):
        started = draw(st.one_of(instants, burst, burst))
        if until is not None and started >= until:
            continue
        outcome = draw(st.sampled_from(OUTCOMES))
        consent = None
        if outcome == "callback" and draw(st.booleans()):
            callback = started + timedelta(hours=draw(st.integers(1, 24 * 9)))
            consent = Consent(started, callback)
        calls.append(
            CallRecord(
                call_id=f"c{i}",
                account_ids=draw(st.sampled_from([{"a"}, {"a"}, {"a", "b"}, {"b"}]).map(frozenset)),
                phone_e164=draw(st.sampled_from((*NUMBERS, UNKNOWN))),
                direction=draw(st.sampled_from(["outbound"] * 4 + ["inbound"])),
                started_at=started,
                outcome=outcome,
                consent=consent,
            )
        )
    return calls


accounts = st.builds(
    lambda status, grouped: AccountState("a", status, serviced_with=grouped),
    st.one_of(
        st.just("active"), st.just("active"), st.just("active"), st.sampled_from(ACCOUNT_STATUSES)
    ),
    # Sometimes serviced together with "b" (one debt, 12 CFR 1006.14(b)(4)).
    st.sampled_from([frozenset(), frozenset(), frozenset({"b"})]),
)
dialed = st.sampled_from((*NUMBERS, UNKNOWN))
# Moments to check: the last days of the histories and a little beyond, mostly in the
# hours when a call may be lawful somewhere (12:00-02:00 UTC).
moments = st.one_of(
    st.integers((HISTORY_DAYS - 4) * 24 * 60, (HISTORY_DAYS + 2) * 24 * 60),
    st.builds(
        lambda day, minute: day * 24 * 60 + minute,
        st.integers(HISTORY_DAYS - 4, HISTORY_DAYS + 2),
        st.integers(12 * 60, 26 * 60),
    ),
).map(lambda m: START + timedelta(minutes=m))


PLACED: frozenset[Outcome] = frozenset(o for o in OUTCOMES if o in PLACED_OUTCOMES)


def _placed_now(e164: str, at: datetime, outcome: Outcome) -> CallRecord:
    return CallRecord("new", frozenset({"a"}), e164, "outbound", at, outcome)


def _zones_for(consumer: Consumer, e164: str) -> set[str]:
    """1006.6(b)(1)(i): every place the consumer may be. The address and the dialed
    number's zones; with no address, every number on file's; a number not on file may be
    anywhere in the contiguous US; nothing known, all of it."""
    phone = next((p for p in consumer.phones if p.e164 == e164), None)
    found = {consumer.address_zone} if consumer.address_zone else set()
    if phone is None:
        found |= set(CONTIGUOUS_US_ZONES)
    elif consumer.address_zone:
        found |= set(phone.zones)
    if not consumer.address_zone:
        found |= {z for p in consumer.phones for z in p.zones}
    return found or set(CONTIGUOUS_US_ZONES)


def _local_days(at: datetime, consumer: Consumer, e164: str) -> set[date]:
    """Every date `at` may be at the consumer's location."""
    return {at.astimezone(ZoneInfo(z)).date() for z in _zones_for(consumer, e164)}


@PROFILE
@given(
    accounts, consumers(), dialed, moments, histories(), st.sampled_from(sorted(PLACED_OUTCOMES))
)
def test_an_allowed_call_breaks_no_rule(
    account: AccountState,
    consumer: Consumer,
    e164: str,
    at: datetime,
    history: list[CallRecord],
    outcome: Outcome,
) -> None:
    decision = check_call(account, consumer, e164, at, history)
    if not decision.allowed:
        assert decision.rule == decision.reasons[0]
        return
    assert decision.next_callable_at == at
    assert violations_of(_placed_now(e164, at, outcome), account, consumer, history) == ()
    # An independent reading of the rules the check must have applied.
    assert account.status in CALLABLE_STATUSES
    assert not consumer.no_telephone
    for zone in _zones_for(consumer, e164):
        assert time(8) <= at.astimezone(ZoneInfo(zone)).time() < time(21)
    today = _local_days(at, consumer, e164)
    debt = {"a"} | account.serviced_with
    ours = [c for c in history if debt & c.account_ids and c.started_at < at]
    zones = _zones_for(consumer, e164)

    def consented(moment: datetime) -> bool:
        # 1006.14(b)(3)(i): the asked-for date in every zone, within 7 days of asking,
        # until the next conversation.
        return any(
            c.consent is not None
            and c.consent.given_at <= moment < c.consent.given_at + timedelta(days=7)
            and all(
                moment.astimezone(ZoneInfo(z)).date()
                == c.consent.asked_for.astimezone(ZoneInfo(z)).date()
                for z in zones
            )
            and not any(
                is_conversation(o) and c.consent.given_at < o.started_at < moment for o in ours
            )
            for c in ours
        )

    if consented(at):
        return
    wrong = {c.phone_e164 for c in ours if c.outcome == "wrong_number"}
    wrong |= {p.e164 for p in consumer.phones if p.status == "wrong_number"}
    kinds = {p.e164: p.kind for p in consumer.phones}
    counted = [
        c
        for c in ours
        if is_call_placed(c) and c.phone_e164 not in wrong and not consented(c.started_at)
    ]
    caps = [(7, 7, {"home", "mobile", "work", "other"})]
    if (consumer.address_state or "").upper() == "MA":  # 209 CMR 18.16(1)(d)
        caps += [(2, 7, {"home", "mobile"}), (2, 30, {"work", "other"})]
    for most, days, cap_kinds in caps:
        if kinds.get(e164, next(iter(cap_kinds))) not in cap_kinds:
            continue
        placed_days = [
            _local_days(c.started_at, consumer, e164)
            for c in counted
            if kinds.get(c.phone_e164, next(iter(cap_kinds))) in cap_kinds
        ]
        # Every window of `days` consecutive dates holding a date today may be holds at
        # most `most` calls, a call being in it when any date it may have been on is.
        for first in {d - timedelta(days=k) for d in today for k in range(days)}:
            window = {first + timedelta(days=k) for k in range(days)}
            assert sum(1 for dates in placed_days if dates & window) + 1 <= most
    # No date today may be is within 7 days of any date a conversation may have been on.
    for c in ours:
        if is_conversation(c):
            for then in _local_days(c.started_at, consumer, e164):
                assert all((d - then).days >= 7 for d in today)


@PROFILE
@given(accounts, consumers(), dialed, moments, st.data())
def test_next_callable_at_is_allowed_and_nothing_earlier_is(
    account: AccountState,
    consumer: Consumer,
    e164: str,
    at: datetime,
    data: st.DataObject,
) -> None:
    history = data.draw(histories(until=at))
    decision = check_call(account, consumer, e164, at, history)
    if decision.allowed or decision.next_callable_at is None:
        return
    next_at = decision.next_callable_at
    assert next_at > at
    assert check_call(account, consumer, e164, next_at, history).allowed
    span = next_at - at
    earlier = {at + span * k / 24 for k in range(24)} | {next_at - timedelta(minutes=1)}
    for moment in earlier:
        assert not check_call(account, consumer, e164, moment, history).allowed


def _record(
    order: list[CallRecord], account: AccountState, consumer: Consumer
) -> dict[str, tuple[str, ...]]:
    """What the service does: judge each new call, and re-judge the stored calls after it."""
    stored: list[CallRecord] = []
    verdicts: dict[str, tuple[str, ...]] = {}
    for new in order:
        stored.append(new)
        for old in stored:
            if old.started_at >= new.started_at:
                verdicts[old.call_id] = violations_of(old, account, consumer, stored)
    return verdicts


@PROFILE
@given(accounts, consumers(), histories(), st.randoms(use_true_random=False))
def test_violations_depend_on_the_set_of_calls_not_their_order(
    account: AccountState,
    consumer: Consumer,
    history: list[CallRecord],
    rnd: Random,
) -> None:
    shuffled = list(history)
    rnd.shuffle(shuffled)
    as_it_happened = sorted(history, key=lambda c: c.started_at)
    assert _record(shuffled, account, consumer) == _record(as_it_happened, account, consumer)
    for call in history:
        assert violations_of(call, account, consumer, history) == violations_of(
            call, account, consumer, shuffled
        )
