"""Contact rules at their edges: every number in the rules has a test that fails if it moved."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.queues.rules.evaluator import CallDecision, check_call, violations_of
from server.queues.rules.facts import (
    ACCOUNT_STATUSES,
    BLOCKING_STATUSES,
    CALLABLE_STATUSES,
    OUTCOMES,
    AccountState,
    AccountStatus,
    CallRecord,
    Consent,
    Consumer,
    Direction,
    InconvenientTime,
    Outcome,
    Phone,
    is_call_placed,
    is_conversation,
)

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
HOME = "+12125550101"
WORK = "+12125550102"
LA_MOBILE = "+13105550103"
UNKNOWN = "+13125550199"

ACCOUNT = AccountState("acc-1", "active")
OTHER_ACCOUNT = AccountState("acc-2", "active")


def et(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=NY)


NEW_YORKER = Consumer(
    address_zone="America/New_York",
    address_state="NY",
    phones=(
        Phone(HOME, "home", zones=("America/New_York",)),
        Phone(WORK, "work", zones=("America/New_York",)),
        Phone(LA_MOBILE, "mobile", zones=("America/Los_Angeles",)),
    ),
)


def consumer(**changes: Any) -> Consumer:
    return replace(NEW_YORKER, **changes)


_ids = itertools.count()


def call(
    at: datetime,
    outcome: Outcome = "no_answer",
    *,
    phone: str = HOME,
    direction: Direction = "outbound",
    accounts: frozenset[str] = frozenset({"acc-1"}),
    consent: Consent | None = None,
) -> CallRecord:
    return CallRecord(
        call_id=f"call-{next(_ids)}",
        account_ids=accounts,
        phone_e164=phone,
        direction=direction,
        started_at=at.astimezone(UTC),
        outcome=outcome,
        consent=consent,
    )


def check(
    at: datetime,
    history: tuple[CallRecord, ...] = (),
    *,
    who: Consumer | None = None,
    phone: str = HOME,
    account: AccountState = ACCOUNT,
) -> CallDecision:
    return check_call(account, who or consumer(), phone, at.astimezone(UTC), history)


def assert_blocked(decision: CallDecision, rule: str, next_at: datetime | None) -> None:
    assert not decision.allowed
    assert decision.rule == rule
    assert rule in decision.reasons
    assert decision.next_callable_at == (next_at.astimezone(UTC) if next_at else None)


# -- statuses, numbers, the person's wishes -------------------------------------------------


def test_only_active_is_callable_and_statuses_partition() -> None:
    assert {"active"} == CALLABLE_STATUSES
    assert set(ACCOUNT_STATUSES) == CALLABLE_STATUSES | BLOCKING_STATUSES
    assert not CALLABLE_STATUSES & BLOCKING_STATUSES
    assert len(ACCOUNT_STATUSES) == 10


@pytest.mark.parametrize("status", sorted(BLOCKING_STATUSES))
def test_blocking_status_blocks_with_no_time_that_helps(status: AccountStatus) -> None:
    decision = check(et(2024, 6, 3), account=AccountState("acc-1", status))
    assert_blocked(decision, f"status_{status}", None)


def test_active_account_is_callable_now() -> None:
    decision = check(et(2024, 6, 3))
    assert decision.allowed
    assert decision.rule is None
    assert decision.next_callable_at == et(2024, 6, 3)


@pytest.mark.parametrize(
    ("status", "rule"),
    [
        ("wrong_number", "phone_wrong_number"),
        ("not_in_service", "phone_not_in_service"),
        ("do_not_call", "phone_do_not_call"),
    ],
)
def test_marked_numbers_are_not_dialed(status: str, rule: str) -> None:
    who = consumer(phones=(Phone(HOME, "home", status=status, zones=("America/New_York",)),))  # type: ignore[arg-type]
    assert_blocked(check(et(2024, 6, 3), who=who), rule, None)


def test_work_number_whose_employer_forbids_calls() -> None:
    who = consumer(phones=(Phone(WORK, "work", employer_forbids_calls=True),))
    assert_blocked(check(et(2024, 6, 3), who=who, phone=WORK), "phone_employer_forbids", None)


def test_oral_stop_calling_blocks_every_number_of_the_person() -> None:
    who = consumer(no_telephone=True)
    for number in (HOME, WORK, UNKNOWN):
        assert_blocked(check(et(2024, 6, 3), who=who, phone=number), "consumer_no_telephone", None)


def test_every_rule_breached_is_listed_status_first() -> None:
    who = consumer(no_telephone=True)
    decision = check(et(2024, 6, 3, 22), who=who, account=AccountState("acc-1", "disputed"))
    assert decision.reasons == ("status_disputed", "consumer_no_telephone", "outside_calling_hours")
    assert decision.next_callable_at is None


def test_a_status_taking_effect_later_does_not_reach_back() -> None:
    disputed = AccountState("acc-1", "disputed", status_since=et(2024, 6, 3, 12).astimezone(UTC))
    before = call(et(2024, 6, 3, 11))
    after = call(et(2024, 6, 3, 13))
    assert violations_of(before, disputed, consumer(), ()) == ()
    assert violations_of(after, disputed, consumer(), (before,)) == ("status_disputed",)


def test_marking_a_number_does_not_flag_the_call_that_found_it_out() -> None:
    noon = et(2024, 6, 3, 12).astimezone(UTC)
    marked = Phone(HOME, "home", status="wrong_number", status_since=noon)
    stranger = call(et(2024, 6, 3, 11), "wrong_number")
    again = call(et(2024, 6, 3, 13), "wrong_number")
    who = consumer(phones=(marked,))
    assert violations_of(stranger, ACCOUNT, who, ()) == ()
    assert violations_of(again, ACCOUNT, who, (stranger,)) == ("phone_wrong_number",)
    stop = consumer(no_telephone=True, no_telephone_since=noon)
    assert violations_of(call(et(2024, 6, 3, 11)), ACCOUNT, stop, ()) == ()
    assert violations_of(again, ACCOUNT, stop, ()) == ("consumer_no_telephone",)


# -- calling hours ---------------------------------------------------------------------------


def test_calling_hours_edges_in_local_time() -> None:
    assert_blocked(check(et(2024, 6, 3, 7, 59)), "outside_calling_hours", et(2024, 6, 3, 8))
    assert check(et(2024, 6, 3, 8, 0)).allowed
    assert check(et(2024, 6, 3, 20, 59)).allowed
    assert_blocked(check(et(2024, 6, 3, 21, 0)), "outside_calling_hours", et(2024, 6, 4, 8))


def test_address_in_new_york_and_number_in_los_angeles_intersect() -> None:
    # 08:00 in Los Angeles is 11:00 in New York; 21:00 in New York closes both.
    def at(h: int, mi: int = 0) -> CallDecision:
        return check(et(2024, 6, 3, h, mi), phone=LA_MOBILE)

    assert_blocked(at(10, 59), "outside_calling_hours", et(2024, 6, 3, 11))
    assert at(11).allowed
    assert at(20, 59).allowed
    assert_blocked(at(21), "outside_calling_hours", et(2024, 6, 4, 11))


def test_number_we_do_not_hold_may_be_in_any_contiguous_zone() -> None:
    who = consumer(address_zone=None, address_state=None)
    assert_blocked(
        check(et(2024, 6, 3, 10, 59), who=who, phone=UNKNOWN),
        "outside_calling_hours",
        et(2024, 6, 3, 11),
    )
    assert check(et(2024, 6, 3, 11), who=who, phone=UNKNOWN).allowed
    assert check(et(2024, 6, 3, 20, 59), who=who, phone=UNKNOWN).allowed
    assert not check(et(2024, 6, 3, 21), who=who, phone=UNKNOWN).allowed


def test_a_number_without_zones_adds_none_the_address_decides_else_contiguous_us() -> None:
    toll_free = "+18005550104"
    honolulu = consumer(
        address_zone="Pacific/Honolulu", phones=(Phone(toll_free, "home", zones=()),)
    )
    # 16:00 in Honolulu is 22:00 in New York: callable, the address alone decides.
    assert check(datetime(2024, 6, 4, 2, tzinfo=UTC), who=honolulu, phone=toll_free).allowed
    nowhere = replace(honolulu, address_zone=None)
    assert_blocked(
        check(datetime(2024, 6, 3, 14, 59, tzinfo=UTC), who=nowhere, phone=toll_free),
        "outside_calling_hours",
        et(2024, 6, 3, 11),  # 08:00 in Los Angeles
    )


def test_spring_forward_day_opens_at_local_eight() -> None:
    # 2024-03-10: New York jumps from EST to EDT at 02:00, so 08:00 is 12:00 UTC, not 13:00.
    saturday_night = datetime(2024, 3, 9, 21, 30, tzinfo=NY)
    decision = check(saturday_night)
    assert_blocked(decision, "outside_calling_hours", datetime(2024, 3, 10, 12, tzinfo=UTC))
    assert not check(datetime(2024, 3, 10, 11, 59, tzinfo=UTC)).allowed
    assert check(datetime(2024, 3, 10, 12, 0, tzinfo=UTC)).allowed


def test_fall_back_day_opens_at_local_eight() -> None:
    # 2024-11-03: back to EST at 02:00, so 08:00 is 13:00 UTC, and 21:00 is 02:00 UTC.
    decision = check(datetime(2024, 11, 2, 22, tzinfo=NY))
    assert_blocked(decision, "outside_calling_hours", datetime(2024, 11, 3, 13, tzinfo=UTC))
    assert not check(datetime(2024, 11, 3, 12, 59, tzinfo=UTC)).allowed
    assert check(datetime(2024, 11, 4, 1, 59, tzinfo=UTC)).allowed
    assert not check(datetime(2024, 11, 4, 2, 0, tzinfo=UTC)).allowed


# -- stated inconvenient times ---------------------------------------------------------------


def test_stated_inconvenient_time_on_weekdays() -> None:
    at_work = InconvenientTime(frozenset(range(5)), time(9), time(17))
    who = consumer(inconvenient_times=(at_work,))
    assert_blocked(check(et(2024, 6, 3, 10), who=who), "inconvenient_time", et(2024, 6, 3, 17))
    assert check(et(2024, 6, 3, 8, 59), who=who).allowed
    assert check(et(2024, 6, 8, 10), who=who).allowed  # a Saturday


def test_inconvenient_time_past_midnight_and_in_the_address_zone() -> None:
    evenings = InconvenientTime(frozenset(), time(19), time(9))
    who = consumer(address_zone="America/Los_Angeles", inconvenient_times=(evenings,))
    # 12:00 in New York is 09:00 in Los Angeles, where the consumer lives.
    assert_blocked(check(et(2024, 6, 3, 11, 59), who=who), "inconvenient_time", et(2024, 6, 3, 12))
    assert check(et(2024, 6, 3, 12), who=who).allowed
    assert check(et(2024, 6, 3, 20), who=who).allowed  # 17:00 at home, 20:00 on the number
    assert not check(et(2024, 6, 3, 22), who=who).allowed


def test_an_inconvenient_time_on_the_clock_the_consumer_named() -> None:
    """A consumer at home in New York who said "not before 10:00" on Denver's clock: the
    time holds there, not at home, and its end is found on Denver's clock too."""
    mornings = InconvenientTime(frozenset(), time(8), time(10), zone="America/Denver")
    who = consumer(inconvenient_times=(mornings,))
    # 11:30 in New York is 09:30 in Denver.
    assert_blocked(check(et(2024, 6, 3, 11, 30), who=who), "inconvenient_time", et(2024, 6, 3, 12))
    assert check(et(2024, 6, 3, 12), who=who).allowed
    assert check(et(2024, 6, 3, 9), who=who).allowed  # 07:00 in Denver


def test_a_whole_day_every_day_is_never_callable() -> None:
    always = InconvenientTime(frozenset(), time(0), time(0))
    decision = check(et(2024, 6, 3), who=consumer(inconvenient_times=(always,)))
    assert_blocked(decision, "inconvenient_time", None)


# -- Regulation F: 7 calls in 7 days ---------------------------------------------------------


def test_seventh_call_allowed_eighth_blocked_until_the_window_passes() -> None:
    six = tuple(call(et(2024, 6, 3, 9 + i)) for i in range(6))
    assert check(et(2024, 6, 3, 16), six).allowed
    seven = (*six, call(et(2024, 6, 3, 15)))
    # Calls on Monday June 3 fill every 7-day window through Sunday June 9.
    assert_blocked(check(et(2024, 6, 3, 16), seven), "reg_f_7_in_7", et(2024, 6, 10, 8))
    assert not check(et(2024, 6, 9, 20), seven).allowed


def test_seven_consecutive_days_is_a_rolling_window_of_seven_dates() -> None:
    daily = tuple(call(et(2024, 6, d)) for d in range(1, 8))  # June 1..7, one a day
    assert not check(et(2024, 6, 7, 12), daily).allowed
    assert check(et(2024, 6, 8, 12), daily).allowed  # June 2..8 holds six


@pytest.mark.parametrize("outcome", ["busy", "not_in_service"])
def test_calls_that_never_connected_do_not_count(outcome: Outcome) -> None:
    history = tuple(call(et(2024, 6, 3, 8 + i), outcome) for i in range(10))
    assert check(et(2024, 6, 3, 19), history).allowed


@pytest.mark.parametrize("outcome", ["no_answer", "left_message", "third_party"])
def test_calls_that_rang_or_reached_someone_count(outcome: Outcome) -> None:
    history = tuple(call(et(2024, 6, 3, 8 + i), outcome) for i in range(7))
    assert_blocked(check(et(2024, 6, 3, 19), history), "reg_f_7_in_7", et(2024, 6, 10, 8))


def test_third_party_is_not_a_conversation() -> None:
    assert check(et(2024, 6, 4), (call(et(2024, 6, 3), "third_party"),)).allowed


def test_wrong_number_outcome_stops_that_numbers_calls_counting() -> None:
    on_work = tuple(call(et(2024, 6, 3, 9 + i), phone=WORK) for i in range(7))
    assert not check(et(2024, 6, 3, 17), on_work).allowed
    stranger = call(et(2024, 6, 3, 16), "wrong_number", phone=WORK)
    assert check(et(2024, 6, 3, 17), (*on_work, stranger)).allowed


def test_number_marked_wrong_stops_its_calls_counting() -> None:
    who = consumer(
        phones=(
            Phone(HOME, "home", zones=("America/New_York",)),
            Phone(WORK, "work", status="wrong_number", zones=("America/New_York",)),
        )
    )
    on_work = tuple(call(et(2024, 6, 3, 9 + i), phone=WORK) for i in range(7))
    assert check(et(2024, 6, 3, 17), on_work, who=who).allowed


# -- Regulation F: the seven days that begin on a conversation -------------------------------


def test_conversation_on_friday_allows_the_next_call_the_following_friday() -> None:
    talked = (call(et(2024, 6, 7, 14), "right_party_contact"),)  # Friday
    expected_next = et(2024, 6, 14, 8)
    assert_blocked(check(et(2024, 6, 7, 16), talked), "reg_f_after_conversation", expected_next)
    assert_blocked(check(et(2024, 6, 8, 9), talked), "reg_f_after_conversation", expected_next)
    assert not check(et(2024, 6, 13, 20, 59), talked).allowed
    assert check(et(2024, 6, 14, 8), talked).allowed


def test_inbound_conversation_blocks_for_seven_days_but_is_not_a_call_placed() -> None:
    inbound = call(et(2024, 6, 3, 12), "promise_to_pay", direction="inbound")
    assert not is_call_placed(inbound)
    assert is_conversation(inbound)
    assert_blocked(
        check(et(2024, 6, 4), (inbound,)), "reg_f_after_conversation", et(2024, 6, 10, 8)
    )


def test_conversation_across_spring_forward_counts_local_dates() -> None:
    talked = (call(datetime(2024, 3, 8, 12, tzinfo=NY), "refused"),)
    decision = check(datetime(2024, 3, 9, 12, tzinfo=NY), talked)
    assert decision.next_callable_at == datetime(2024, 3, 15, 12, tzinfo=UTC)  # 08:00 EDT


def test_dates_are_the_consumers_not_utc() -> None:
    # 23:30 in Los Angeles on June 3 is already June 4 in UTC and New York.
    who = consumer(address_zone="America/Los_Angeles")
    talked = (call(datetime(2024, 6, 3, 20, 30, tzinfo=LA), "callback", phone=LA_MOBILE),)
    decision = check(datetime(2024, 6, 9, 12, tzinfo=LA), talked, who=who, phone=LA_MOBILE)
    assert_blocked(decision, "reg_f_after_conversation", datetime(2024, 6, 10, 8, tzinfo=LA))


# -- several debts on one call ---------------------------------------------------------------


def test_a_call_about_two_debts_counts_for_each() -> None:
    both = frozenset({"acc-1", "acc-2"})
    history = tuple(call(et(2024, 6, 3, 9 + i), accounts=both) for i in range(7))
    assert not check(et(2024, 6, 3, 17), history, account=OTHER_ACCOUNT).allowed
    talked = (call(et(2024, 6, 3), "right_party_contact", accounts=both),)
    assert not check(et(2024, 6, 4), talked, account=OTHER_ACCOUNT).allowed


def test_a_call_about_another_debt_does_not_count() -> None:
    only_first = tuple(call(et(2024, 6, 3, 9 + i)) for i in range(7))
    talked = call(et(2024, 6, 3, 16), "right_party_contact")
    assert check(et(2024, 6, 3, 17), (*only_first, talked), account=OTHER_ACCOUNT).allowed


def test_debts_serviced_together_count_as_one_debt() -> None:
    # 12 CFR 1006.14(b)(4): loans serviced under one account number are one debt.
    grouped = AccountState("acc-1", "active", serviced_with=frozenset({"acc-2"}))
    about_other = tuple(
        call(et(2024, 6, 3, 9 + i), accounts=frozenset({"acc-2"})) for i in range(7)
    )
    assert_blocked(
        check(et(2024, 6, 3, 17), about_other, account=grouped), "reg_f_7_in_7", et(2024, 6, 10, 8)
    )
    assert check(et(2024, 6, 3, 17), about_other).allowed  # not grouped: its own count
    talked = (call(et(2024, 6, 3), "right_party_contact", accounts=frozenset({"acc-2"})),)
    assert_blocked(
        check(et(2024, 6, 4), talked, account=grouped),
        "reg_f_after_conversation",
        et(2024, 6, 10, 8),
    )
    assert check(et(2024, 6, 4), talked).allowed
    # A call about both loans is one call for the one debt, not two.
    both = frozenset({"acc-1", "acc-2"})
    six = tuple(call(et(2024, 6, 3, 9 + i), accounts=both) for i in range(6))
    assert check(et(2024, 6, 3, 17), six, account=grouped).allowed


# -- consent given directly to us ------------------------------------------------------------


def _callback(given: datetime, callback: datetime) -> CallRecord:
    consent = Consent(given.astimezone(UTC), callback.astimezone(UTC))
    return call(given, "callback", consent=consent)


def test_consent_covers_the_asked_day_inside_the_quiet_week() -> None:
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 6, 15))  # Monday: "call me Thursday"
    assert_blocked(check(et(2024, 6, 5), (asked,)), "reg_f_after_conversation", et(2024, 6, 6, 8))
    assert check(et(2024, 6, 6, 9), (asked,)).allowed
    assert not check(et(2024, 6, 7, 9), (asked,)).allowed


def test_calls_under_consent_do_not_count_toward_seven_in_seven() -> None:
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 6, 15))
    covered = tuple(call(et(2024, 6, 6, 9 + i)) for i in range(7))
    assert check(et(2024, 6, 6, 17), (asked, *covered)).allowed
    # The quiet week ends Sunday June 9; June 4..10 holds the seven covered calls.
    assert check(et(2024, 6, 10, 9), (asked, *covered)).allowed
    uncovered = tuple(call(et(2024, 6, 10, 9 + i)) for i in range(7))
    assert not check(et(2024, 6, 10, 17), (asked, *covered, *uncovered)).allowed


def test_consent_covers_only_within_seven_days_of_being_given() -> None:
    # Monday 10:00, "call me next Monday": covers up to next Monday 10:00.
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 10, 15))
    thursday = tuple(call(et(2024, 6, 6, 9 + i)) for i in range(7))  # in June 4..10
    assert check(et(2024, 6, 10, 9, 59), (asked, *thursday)).allowed
    assert_blocked(
        check(et(2024, 6, 10, 10), (asked, *thursday)), "reg_f_7_in_7", et(2024, 6, 13, 8)
    )


def test_consent_covers_the_local_day_asked_for_and_no_other() -> None:
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 6, 15))  # "call me Thursday"
    assert check(et(2024, 6, 6, 8), (asked,)).allowed
    assert check(et(2024, 6, 6, 20, 59), (asked,)).allowed
    assert not check(et(2024, 6, 7, 8), (asked,)).allowed


def test_consent_day_must_be_the_asked_date_in_every_zone_considered() -> None:
    # No address, a New York and a Juneau number: Sunday asked for on the New York one.
    juneau = "+19075550102"
    who = consumer(
        address_zone=None,
        address_state=None,
        phones=(Phone(HOME, "home", zones=("America/New_York",)),
                Phone(juneau, "mobile", zones=("America/Juneau",))),
    )  # fmt: skip
    asked = call(
        datetime(2025, 9, 22, 18, tzinfo=UTC),
        "callback",
        consent=Consent(
            datetime(2025, 9, 22, 18, tzinfo=UTC), datetime(2025, 9, 28, 16, tzinfo=UTC)
        ),
    )
    # 00:30 Sunday in New York, 20:30 Saturday in Juneau: not the consented day in Juneau.
    late = check(datetime(2025, 9, 28, 4, 30, tzinfo=UTC), (asked,), who=who, phone=juneau)
    assert "reg_f_after_conversation" in late.reasons
    assert "outside_calling_hours" in late.reasons
    assert check(datetime(2025, 9, 28, 17, tzinfo=UTC), (asked,), who=who, phone=juneau).allowed


def test_the_next_conversation_ends_consent() -> None:
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 6, 15))
    rang_us = call(et(2024, 6, 4, 12), "right_party_contact", direction="inbound")
    assert_blocked(
        check(et(2024, 6, 6, 9), (asked, rang_us)), "reg_f_after_conversation", et(2024, 6, 11, 8)
    )
    reached = call(et(2024, 6, 6, 9), "promise_to_pay")
    assert not check(et(2024, 6, 6, 10), (asked, reached)).allowed


def test_revoked_consent_no_longer_covers() -> None:
    given = et(2024, 6, 3, 10).astimezone(UTC)
    revoked = Consent(given, et(2024, 6, 6, 15).astimezone(UTC), et(2024, 6, 6, 12).astimezone(UTC))
    asked = call(et(2024, 6, 3, 10), "callback", consent=revoked)
    assert check(et(2024, 6, 6, 11, 59), (asked,)).allowed
    assert not check(et(2024, 6, 6, 12), (asked,)).allowed


# -- Massachusetts ---------------------------------------------------------------------------

MA = consumer(address_state="MA")


def test_massachusetts_two_in_seven_days_to_home() -> None:
    one = (call(et(2024, 6, 3)),)
    assert check(et(2024, 6, 4), one, who=MA).allowed
    two = (*one, call(et(2024, 6, 4)))
    assert_blocked(check(et(2024, 6, 5), two, who=MA), "state_ma_2_in_7", et(2024, 6, 10, 8))
    assert not check(et(2024, 6, 9, 20), two, who=MA).allowed
    assert check(et(2024, 6, 5), two).allowed  # not a Massachusetts consumer


def test_massachusetts_caps_hold_when_any_client_gave_a_massachusetts_address() -> None:
    # The account's own client says New York; another client of the same person says
    # Boston: the consumer may live there, so the stricter caps bind.
    elsewhere = consumer(address_state="NY", other_address_states=("MA",))
    two = (call(et(2024, 6, 3)), call(et(2024, 6, 4)))
    assert_blocked(check(et(2024, 6, 5), two, who=elsewhere), "state_ma_2_in_7",
                   et(2024, 6, 10, 8))  # fmt: skip
    assert check(et(2024, 6, 5), two, who=consumer(address_state="NY")).allowed


def test_calling_hours_hold_in_the_zone_of_every_address() -> None:
    # 08:30 in New York, 05:30 in Los Angeles, where another client places the person.
    west = consumer(other_address_zones=("America/Los_Angeles",))
    assert check(et(2024, 6, 5, 8, 30), ()).allowed
    assert_blocked(check(et(2024, 6, 5, 8, 30), (), who=west), "outside_calling_hours",
                   et(2024, 6, 5, 11))  # fmt: skip


def test_massachusetts_two_in_thirty_days_to_work() -> None:
    two = (call(et(2024, 6, 3), phone=WORK), call(et(2024, 6, 4), phone=WORK))
    decision = check(et(2024, 6, 5), two, who=MA, phone=WORK)
    # Windows of 30 days holding June 3 run to July 2.
    assert_blocked(decision, "state_ma_2_in_30", et(2024, 7, 3, 8))
    assert not check(et(2024, 7, 2, 20), two, who=MA, phone=WORK).allowed
    # Calls to work do not count against the home number's cap, nor the reverse.
    assert check(et(2024, 6, 5), two, who=MA).allowed
    home_two = (call(et(2024, 6, 3)), call(et(2024, 6, 4)))
    assert check(et(2024, 6, 5), home_two, who=MA, phone=WORK).allowed


def test_massachusetts_does_not_count_calls_under_consent() -> None:
    # 209 CMR 18.16(1): only calls "without the prior consent of the consumer given
    # directly to the debt collector" are limited, like Regulation F's 1006.14(b)(3).
    asked = _callback(et(2024, 6, 3, 10), et(2024, 6, 6, 15))
    covered = (call(et(2024, 6, 6, 9)), call(et(2024, 6, 6, 10)))
    assert check(et(2024, 6, 6, 11), (asked, *covered), who=MA).allowed
    # The consented calls still do not count the next week: Monday's call is 1 of 2.
    assert check(et(2024, 6, 10, 9), (asked, *covered), who=MA).allowed
    unconsented = (call(et(2024, 6, 4, 9)),)
    decision = check(et(2024, 6, 7, 9), (asked, *unconsented, *covered), who=MA)
    assert "state_ma_2_in_7" in decision.reasons


def test_massachusetts_counts_calls_to_unknown_numbers_under_both_caps() -> None:
    two = (call(et(2024, 6, 3), phone=UNKNOWN), call(et(2024, 6, 4), phone=UNKNOWN))
    decision = check(et(2024, 6, 5), two, who=MA, phone=WORK)
    assert decision.reasons == ("state_ma_2_in_30",)


# -- recorded calls --------------------------------------------------------------------------


def test_inbound_and_unconnected_calls_breach_only_who_may_be_dialed() -> None:
    late = et(2024, 6, 3, 23)
    assert violations_of(call(late, direction="inbound"), ACCOUNT, consumer(), ()) == ()
    assert violations_of(call(late, "busy"), ACCOUNT, consumer(), ()) == ()
    dnc = consumer(phones=(Phone(HOME, "home", status="do_not_call"),))
    assert violations_of(call(late, "busy"), ACCOUNT, dnc, ()) == ("phone_do_not_call",)


def test_recorded_call_lists_every_rule_it_breached() -> None:
    talked = call(et(2024, 6, 3, 9), "right_party_contact")
    history = (talked, *(call(et(2024, 6, 3, 10 + i)) for i in range(6)))
    eighth = call(et(2024, 6, 3, 22))
    assert violations_of(eighth, ACCOUNT, MA, (*history, eighth)) == (
        "outside_calling_hours",
        "reg_f_7_in_7",
        "state_ma_2_in_7",
        "reg_f_after_conversation",
    )


def test_back_dated_calls_give_the_same_violations_as_calls_in_order() -> None:
    history = [call(et(2024, 6, 3, 9 + i)) for i in range(8)]

    def record(order: list[CallRecord]) -> dict[str, tuple[str, ...]]:
        stored: list[CallRecord] = []
        found: dict[str, tuple[str, ...]] = {}
        for new in order:
            stored.append(new)
            # The service judges the new call and re-judges every stored call after it.
            for old in stored:
                if old.started_at >= new.started_at:
                    found[old.call_id] = violations_of(old, ACCOUNT, consumer(), stored)
        return found

    as_it_happened = record(history)
    back_dated = record([history[-1], *reversed(history[:-1])])
    assert as_it_happened == back_dated
    assert as_it_happened[history[-1].call_id] == ("reg_f_7_in_7",)
    assert sum(bool(v) for v in as_it_happened.values()) == 1


def test_history_at_or_after_the_moment_is_ignored() -> None:
    later = tuple(call(et(2024, 6, 3, 12, i)) for i in range(8))
    assert check(et(2024, 6, 3, 12), later).allowed


def test_outcome_table() -> None:
    placed = {"no_answer", "left_message", "third_party", "right_party_contact"}
    placed |= {"promise_to_pay", "refused", "dispute", "cease_request", "callback"}
    talks = {"right_party_contact", "promise_to_pay", "refused", "dispute"}
    talks |= {"cease_request", "callback"}
    assert set(OUTCOMES) == placed | {"busy", "not_in_service", "wrong_number"}
    for outcome in OUTCOMES:
        out = call(et(2024, 6, 3), outcome)
        inbound = call(et(2024, 6, 3), outcome, direction="inbound")
        assert is_call_placed(out) == (outcome in placed)
        assert not is_call_placed(inbound)
        assert is_conversation(out) == is_conversation(inbound) == (outcome in talks)
