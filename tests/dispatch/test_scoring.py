"""The score formula and its weights, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from server.dispatch import scoring
from server.dispatch.scoring import DEFAULT_WEIGHTS, Facts, score, weights_from

TODAY = date(2026, 11, 25)
FRESH = Facts(
    balance_cents=100_000, delinquency_date=TODAY, ssn_on_file=True, good_address=True,
    phone_with_zone=True, right_party_contact=False, wrong_number=False, callback_due=False,
    broken_promise=False,
)  # fmt: skip


def test_collectability_falls_to_a_quarter_in_a_year_and_a_few_percent_a_week() -> None:
    year_old = score(replace(FRESH, delinquency_date=TODAY - timedelta(weeks=52)), TODAY)
    week_old = score(replace(FRESH, delinquency_date=TODAY - timedelta(weeks=1)), TODAY)
    assert year_old.age_permille == 250
    assert 970 <= week_old.age_permille <= 990
    assert year_old.score < week_old.score < score(FRESH, TODAY).score


def test_contactability_and_balance_move_the_score_the_right_way() -> None:
    fresh = score(FRESH, TODAY)
    no_ssn = score(replace(FRESH, ssn_on_file=False), TODAY)
    assert no_ssn.expected_recovery_cents * 2 == pytest.approx(fresh.expected_recovery_cents, 1)
    assert score(replace(FRESH, good_address=False), TODAY).score < no_ssn.score
    assert score(replace(FRESH, wrong_number=True), TODAY).score < fresh.score
    assert score(replace(FRESH, right_party_contact=True), TODAY).score > fresh.score
    # A larger balance is worth more, but less than in proportion.
    bigger = score(replace(FRESH, balance_cents=1_000_000), TODAY)
    assert fresh.expected_recovery_cents < bigger.expected_recovery_cents
    assert bigger.expected_recovery_cents < 10 * fresh.expected_recovery_cents
    assert 0 <= score(replace(FRESH, balance_cents=0), TODAY).score <= bigger.score <= 1000


def test_due_callbacks_come_before_broken_promises() -> None:
    assert score(replace(FRESH, callback_due=True, broken_promise=True), TODAY).priority == 2
    assert score(replace(FRESH, broken_promise=True), TODAY).priority == 1
    assert score(FRESH, TODAY).priority == 0


def test_weights_are_configuration() -> None:
    assert weights_from({}) == DEFAULT_WEIGHTS
    assert weights_from({"ssn_factor": 3, "cap_cents": 100000}).ssn_factor == 3
    for bad in ({"ssn": 2}, {"ssn_factor": -1}, {"ssn_factor": True}, {"cap_cents": 1.5}):
        with pytest.raises(scoring.WeightsError):
            weights_from(bad)


def test_each_part_in_words_with_the_value_the_score_multiplies() -> None:
    year_old = replace(FRESH, delinquency_date=TODAY - timedelta(weeks=52),
                       right_party_contact=True, callback_due=True)  # fmt: skip
    made = score(year_old, TODAY)
    by_part = {p.part: p for p in scoring.parts(year_old, TODAY)}
    assert list(by_part) == [
        "base_rate", "age", "contactability", "balance", "expected_recovery", "priority",
    ]  # fmt: skip
    assert by_part["base_rate"].sentence.startswith("base rate 5 %")
    assert by_part["age"].value == made.age_permille / 1000 == 0.25
    assert by_part["age"].sentence == (
        "age 0.25×: 52 weeks since the delinquency date, 2.6 % less each week"
    )
    assert by_part["contactability"].value == made.contact_permille / 1000 == 11.25
    assert by_part["contactability"].sentence == (
        "contactability 11.25×: SSN on file ×2.00, a full address with a zone ×3.00,"
        " a valid number in a known zone ×1.25, the consumer reached on a call ×1.50"
    )
    assert by_part["balance"].sentence.startswith("balance 0.71×: $1,000.00 owed")
    assert by_part["expected_recovery"].value == made.expected_recovery_cents / 100
    assert by_part["priority"].sentence == (
        "priority 2: a callback the consumer asked for is due: served first"
    )
    unknown = scoring.parts(replace(FRESH, ssn_on_file=False, phone_with_zone=False,
                                    wrong_number=True), TODAY)  # fmt: skip
    [contact] = [p for p in unknown if p.part == "contactability"]
    assert contact.sentence == (
        "contactability 1.80×: a full address with a zone ×3.00, no number in a known zone"
        " ×1.00, a number that reached someone else ×0.60"
    )
