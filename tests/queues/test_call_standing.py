"""The call context's counters and cues at their edges: the counts are the ones the rule
compares with its cap, the block after a conversation ends on its seventh local day, and
the disclosure follows the first communication, a mailed notice included."""

from __future__ import annotations

from datetime import date

from server.queues.rules.cues import VALIDATION_NOTICE_DAYS, call_cues
from server.queues.rules.evaluator import frequency_standing
from server.queues.rules.facts import AccountState
from tests.queues.test_rules import ACCOUNT, HOME, MA, WORK, call, check, consumer, et


def counted(standing_caps: tuple, rule: str) -> int:  # type: ignore[type-arg]
    return next(c.counted for c in standing_caps if c.rule == rule)


def test_the_count_is_the_fullest_window_of_seven_local_days_holding_now() -> None:
    # Monday 3 June to Sunday 9 June 2024: seven calls, the first on the Monday.
    calls = tuple(call(et(2024, 6, 3 + day)) for day in range(7))
    on_sunday = frequency_standing(ACCOUNT, consumer(), HOME, et(2024, 6, 9, 18), calls)
    assert counted(on_sunday.caps, "reg_f_7_in_7") == 7
    assert not check(et(2024, 6, 9, 18), calls).allowed
    # Monday 10 June: the window 4–10 June holds six of them, and the eighth call is lawful.
    monday = frequency_standing(ACCOUNT, consumer(), HOME, et(2024, 6, 10, 9), calls)
    assert counted(monday.caps, "reg_f_7_in_7") == 6
    assert check(et(2024, 6, 10, 9), calls).allowed
    assert [c.rule for c in monday.caps] == ["reg_f_7_in_7"]
    assert (monday.caps[0].max_calls, monday.caps[0].days) == (7, 7)


def test_massachusetts_counts_beside_regulation_fs() -> None:
    calls = (call(et(2024, 6, 3)), call(et(2024, 6, 4)), call(et(2024, 6, 4, 11), phone=WORK))
    standing = frequency_standing(ACCOUNT, MA, HOME, et(2024, 6, 5), calls)
    by_rule = {c.rule: c for c in standing.caps}
    assert set(by_rule) == {"reg_f_7_in_7", "state_ma_2_in_7", "state_ma_2_in_30"}
    assert by_rule["reg_f_7_in_7"].counted == 3
    # Home and mobile numbers count for the 7-day cap, work numbers for the 30-day one.
    assert (by_rule["state_ma_2_in_7"].counted, by_rule["state_ma_2_in_7"].max_calls) == (2, 2)
    assert by_rule["state_ma_2_in_7"].phone_kinds == ("home", "mobile")
    assert (by_rule["state_ma_2_in_30"].counted, by_rule["state_ma_2_in_30"].days) == (1, 30)


def test_the_block_after_a_conversation_ends_on_its_seventh_local_day() -> None:
    talk = call(et(2024, 6, 7, 20), "right_party_contact")
    standing = frequency_standing(ACCOUNT, consumer(), HOME, et(2024, 6, 8), (talk,))
    assert standing.last_conversation_at == talk.started_at
    # Friday 7 June is day 1; Friday 14 June is the first day after the block.
    assert standing.block_ends_before == date(2024, 6, 14)
    assert not check(et(2024, 6, 13, 20, 59), (talk,)).allowed
    assert check(et(2024, 6, 14, 8), (talk,)).allowed
    none = frequency_standing(ACCOUNT, consumer(), HOME, et(2024, 6, 8), ())
    assert (none.last_conversation_at, none.block_ends_before) == (None, None)


def test_only_the_debts_calls_count() -> None:
    other = call(et(2024, 6, 3), accounts=frozenset({"acc-2"}))
    standing = frequency_standing(ACCOUNT, consumer(), HOME, et(2024, 6, 4), (other,))
    assert counted(standing.caps, "reg_f_7_in_7") == 0
    together = AccountState("acc-1", "active", serviced_with=frozenset({"acc-2"}))
    one_debt = frequency_standing(together, consumer(), HOME, et(2024, 6, 4), (other,))
    assert counted(one_debt.caps, "reg_f_7_in_7") == 1


def test_the_disclosure_follows_the_first_communication() -> None:
    first = [c.code for c in call_cues(communicated_before=False, notice_mailed=False,
                                       time_barred=False)]  # fmt: skip
    assert first == ["verify_right_party", "initial_disclosure", "validation_notice_due"]
    # A mailed notice was the initial communication: the call is a later one.
    after_notice = call_cues(communicated_before=False, notice_mailed=True, time_barred=False)
    assert [c.code for c in after_notice] == ["verify_right_party", "subsequent_disclosure"]
    after_call = call_cues(communicated_before=True, notice_mailed=False, time_barred=True)
    assert [c.code for c in after_call] == [
        "verify_right_party", "subsequent_disclosure", "validation_notice_due", "time_barred",
    ]  # fmt: skip
    due = next(c for c in after_call if c.code == "validation_notice_due")
    assert VALIDATION_NOTICE_DAYS == 5
    assert "within 5 days" in due.sentence
    assert due.citation.endswith("1006.34(a)(1)")
    assert next(c for c in after_call if c.code == "time_barred").citation == "12 CFR 1006.26(b)"
