"""The contact-rule verdict in words: the consumer's local time in every zone the rules
hold in, the rule with its citation, and the next callable moment there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.queues.rules.explain import explain, local_times, place_of, rule_sentence

# 04:07 UTC on Monday 2026-12-07: 22:07 on Sunday in Chicago, 23:07 in New York.
LATE = datetime(2026, 12, 7, 4, 7, tzinfo=UTC)
BOTH = ["America/Chicago", "America/New_York"]


@pytest.mark.parametrize(
    ("zone", "place"),
    [("America/New_York", "New York"), ("Pacific/Honolulu", "Honolulu"),
     ("America/Puerto_Rico", "Puerto Rico"), ("UTC", "UTC")],
)  # fmt: skip
def test_a_zone_is_named_by_its_place(zone: str, place: str) -> None:
    assert place_of(zone) == place


def test_local_times_in_every_zone() -> None:
    assert local_times(LATE, BOTH) == "22:07 in Chicago and 23:07 in New York"
    three = [*BOTH, "America/Denver"]
    assert local_times(LATE, three) == "22:07 in Chicago, 23:07 in New York and 21:07 in Denver"


def test_outside_calling_hours_says_the_time_the_hours_and_the_next_moment() -> None:
    # The first moment callable in both zones is 08:00 in Chicago (09:00 in New York).
    nxt = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert explain("outside_calling_hours", LATE, BOTH, nxt) == (
        "It is 22:07 in Chicago and 23:07 in New York; calls are allowed 08:00–21:00 in the"
        " consumer's local time, in every zone they may be in (12 CFR 1006.6(b)(1)(i))."
        " Next callable Mon Dec 7 at 08:00 in Chicago and 09:00 in New York."
    )


def test_an_allowed_call_says_so_with_the_time() -> None:
    assert explain(None, LATE, ["America/Los_Angeles"], LATE) == (
        "It is 20:07 in Los Angeles: the call is allowed."
    )


def test_a_block_no_time_lifts_says_so() -> None:
    assert explain("status_disputed", LATE, BOTH, None) == (
        "The account is blocked by a timely written dispute: it is not called until"
        " verification is mailed (15 U.S.C. 1692g(b); 12 CFR 1006.38(d)(2))."
        " No time will allow it until that changes."
    )


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("reg_f_7_in_7", "7 calls were already placed about this debt within 7 consecutive days"),
        ("reg_f_after_conversation", "spoken with about this debt within the past 7 days"),
        ("state_ma_2_in_7", "MA law allows at most 2 calls in 7 days"),
        ("phone_employer_forbids", "1692c(a)(3)"),
        ("status_attorney_represented", "The account is attorney represented"),
        ("something_new", "The rule something_new forbids the call."),
    ],
)
def test_every_rule_has_a_sentence(rule: str, words: str) -> None:
    assert words in rule_sentence(rule)
