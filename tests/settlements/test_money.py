"""Fees, remittance lines, statement totals and clearing dates (DESIGN.md "Remittance")."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.kit.dollars import dollars
from server.settlements.money import (
    ClearedPayment,
    LineKind,
    PaidTo,
    RemittanceMethod,
    Reversal,
    StatementLine,
    Step,
    cleared_on,
    fee_cents,
    line_for_payment,
    reversal_of,
    running_balances,
    statement_lines,
    statement_totals,
)

THIRTY_PERCENT = 3000


# --- fees ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_cents", "rate_bps", "expected"),
    [
        (5, 1000, 1),  # 0.5 cent exactly: half rounds up
        (15, 3000, 5),  # 4.5 cents: up
        (4, 1000, 0),  # 0.4 cent: one step below half rounds down
        (14, 3000, 4),  # 4.2 cents
        (1, 4999, 0),  # 0.4999 cent: the smallest step below half
        (1, 5000, 1),  # 0.5 cent at the smallest amount
        (3333, 3000, 1000),  # 999.9 cents
        (10000, 3000, 3000),
        (10000, 2500, 2500),  # a whole rate is exact
        (12345, 10000, 12345),  # 100 %: the whole payment
        (12345, 0, 0),
        (0, 3000, 0),
    ],
)
def test_fee_is_half_up_to_the_cent(amount_cents: int, rate_bps: int, expected: int) -> None:
    assert fee_cents(amount_cents, rate_bps) == expected


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_fee_equals_exact_rational_rounded_half_up(amount_cents: int, rate_bps: int) -> None:
    exact = Fraction(amount_cents * rate_bps, 10_000)
    fee = fee_cents(amount_cents, rate_bps)
    # Half-up: an exact half rounds to the cent above, so the fee is the one integer
    # with fee - 1/2 <= exact < fee + 1/2.
    assert fee - Fraction(1, 2) <= exact < fee + Fraction(1, 2)
    assert 0 <= fee <= amount_cents


def test_fee_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="not on -1 cents"):
        fee_cents(-1, 3000)


@pytest.mark.parametrize("rate_bps", [-1, 10_001])
def test_fee_refuses_a_rate_outside_0_to_100_percent(rate_bps: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 10000"):
        fee_cents(100, rate_bps)


# --- lines --------------------------------------------------------------------------------


def test_agency_payment_remits_the_amount_less_the_fee() -> None:
    assert line_for_payment(10000, THIRTY_PERCENT, "agency") == StatementLine(
        LineKind.AGENCY_PAYMENT,
        collected_cents=10000,
        gross_cents=10000,
        fee_cents=3000,
        net_cents=7000,
    )


def test_direct_payment_makes_the_client_owe_the_fee() -> None:
    assert line_for_payment(5000, THIRTY_PERCENT, "client") == StatementLine(
        LineKind.DIRECT_PAYMENT,
        collected_cents=5000,
        gross_cents=0,
        fee_cents=1500,
        net_cents=-1500,
    )


@pytest.mark.parametrize("amount_cents", [0, -100])
def test_a_payment_line_needs_a_positive_amount(amount_cents: int) -> None:
    with pytest.raises(ValueError, match="positive amount"):
        line_for_payment(amount_cents, THIRTY_PERCENT, "agency")


def test_reversal_copies_the_original_line_with_opposite_sign() -> None:
    original = line_for_payment(4000, THIRTY_PERCENT, "agency")
    assert reversal_of(original) == StatementLine(
        LineKind.REVERSAL,
        collected_cents=-4000,
        gross_cents=-4000,
        fee_cents=-1200,
        net_cents=-2800,
    )


def test_reversal_of_a_direct_payment_credits_the_fee_back() -> None:
    reversal = reversal_of(line_for_payment(5000, THIRTY_PERCENT, "client"))
    assert (reversal.gross_cents, reversal.fee_cents, reversal.net_cents) == (0, -1500, 1500)


def test_reversal_is_copied_not_recomputed_at_todays_rate() -> None:
    # 33.33 at 30 % rounds to 10.00; recomputing -33.33 would have to pick a rounding
    # rule for negatives, and a changed rate would give back a fee never charged.
    original = StatementLine(LineKind.AGENCY_PAYMENT, 3333, 3333, 1000, 2333)
    assert reversal_of(original).fee_cents == -1000


def test_a_reversal_cannot_be_reversed() -> None:
    reversal = reversal_of(line_for_payment(4000, THIRTY_PERCENT, "agency"))
    with pytest.raises(ValueError, match="not of another reversal"):
        reversal_of(reversal)


def test_a_line_must_satisfy_net_equals_gross_minus_fee() -> None:
    with pytest.raises(ValueError, match="net must be gross - fee"):
        StatementLine(LineKind.AGENCY_PAYMENT, 100, 100, 30, 71)


@given(
    st.integers(min_value=1, max_value=10**10),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["agency", "client"]),
)
def test_a_payment_and_its_reversal_cancel_to_the_cent(
    amount_cents: int, rate_bps: int, paid_to: PaidTo
) -> None:
    line = line_for_payment(amount_cents, rate_bps, paid_to)
    totals = statement_totals([line, reversal_of(line)], RemittanceMethod.NET)
    assert (totals.collected_cents, totals.gross_cents, totals.fees_cents, totals.net_cents) == (
        0,
        0,
        0,
        0,
    )


# --- which movements get a line --------------------------------------------------------------


def test_reversal_of_a_payment_on_a_statement_copies_its_line() -> None:
    issued = {"p1": line_for_payment(4000, THIRTY_PERCENT, "agency")}
    lines = statement_lines([], [Reversal("r1", "p1")], issued)
    assert lines == [("r1", reversal_of(issued["p1"]))]


def test_reversal_of_a_payment_on_no_statement_withdraws_both() -> None:
    cleared = [
        ClearedPayment("p1", 4000, THIRTY_PERCENT, "agency"),
        ClearedPayment("p2", 1000, THIRTY_PERCENT, "agency"),
    ]
    lines = statement_lines(cleared, [Reversal("r1", "p1")], {})
    assert lines == [("p2", line_for_payment(1000, THIRTY_PERCENT, "agency"))]


def test_reversal_of_a_payment_not_cleared_yet_is_withdrawn_now_and_later() -> None:
    reversal = Reversal("r1", "p1")
    assert statement_lines([], [reversal], {}) == []
    # Next period the payment clears; the unissued reversal still withdraws it.
    later = [ClearedPayment("p1", 4000, THIRTY_PERCENT, "agency")]
    assert statement_lines(later, [reversal], {}) == []


def test_a_payment_is_reversed_once() -> None:
    with pytest.raises(ValueError, match="reversed twice"):
        statement_lines([], [Reversal("r1", "p1"), Reversal("r2", "p1")], {})


def test_a_payment_already_on_a_statement_is_not_issued_again() -> None:
    issued = {"p1": line_for_payment(4000, THIRTY_PERCENT, "agency")}
    with pytest.raises(ValueError, match="already on a statement"):
        statement_lines([ClearedPayment("p1", 4000, THIRTY_PERCENT, "agency")], [], issued)


# --- totals: DESIGN.md's worked example --------------------------------------------------------


def worked_example_lines() -> list[StatementLine]:
    """DESIGN.md "Remittance", 30 %: +100.00, +33.33, direct 50.00, reversal of a remitted 40.00."""
    remitted_earlier = line_for_payment(4000, THIRTY_PERCENT, "agency")
    return [
        line_for_payment(10000, THIRTY_PERCENT, "agency"),
        line_for_payment(3333, THIRTY_PERCENT, "agency"),
        line_for_payment(5000, THIRTY_PERCENT, "client"),
        reversal_of(remitted_earlier),
    ]


def test_worked_example_lines() -> None:
    assert [(line.fee_cents, line.net_cents) for line in worked_example_lines()] == [
        (3000, 7000),
        (1000, 2333),
        (1500, -1500),
        (-1200, -2800),
    ]


def test_worked_example_net_method_remits_50_33() -> None:
    totals = statement_totals(worked_example_lines(), RemittanceMethod.NET)
    assert totals.remit_cents == 5033
    assert totals.net_cents == 5033
    assert totals.carried_out_cents == 0
    assert totals.invoiced_fees_cents == 0  # kept off the top, nothing to invoice


def test_worked_example_gross_method_remits_93_33_and_invoices_43_00() -> None:
    totals = statement_totals(worked_example_lines(), RemittanceMethod.GROSS)
    assert totals.remit_cents == 9333  # 100.00 + 33.33 - 40.00
    assert totals.invoiced_fees_cents == 4300  # 30.00 + 10.00 + 15.00 - 12.00
    assert totals.remit_cents - totals.invoiced_fees_cents == 5033


def test_worked_example_totals_for_the_bookkeeper() -> None:
    totals = statement_totals(worked_example_lines(), RemittanceMethod.NET)
    assert totals.collected_cents == 10000 + 3333 + 5000 - 4000
    assert totals.gross_cents == 9333
    assert totals.fees_cents == 4300


# --- totals: carry forward --------------------------------------------------------------------


def test_a_negative_statement_is_carried_into_the_next() -> None:
    remitted_earlier = line_for_payment(4000, THIRTY_PERCENT, "agency")
    first = statement_totals([reversal_of(remitted_earlier)], RemittanceMethod.NET)
    assert (first.remit_cents, first.carried_out_cents) == (0, -2800)

    second = statement_totals(
        [line_for_payment(1000, THIRTY_PERCENT, "agency")],
        RemittanceMethod.NET,
        carried_in_cents=first.carried_out_cents,
    )
    assert second.net_cents == 700
    assert (second.remit_cents, second.carried_out_cents) == (0, -2100)

    third = statement_totals(
        [line_for_payment(10000, THIRTY_PERCENT, "agency")],
        RemittanceMethod.NET,
        carried_in_cents=second.carried_out_cents,
    )
    assert (third.remit_cents, third.carried_out_cents) == (7000 - 2100, 0)


def test_gross_method_carries_the_remittance_and_invoices_the_fee_credit() -> None:
    remitted_earlier = line_for_payment(4000, THIRTY_PERCENT, "agency")
    totals = statement_totals([reversal_of(remitted_earlier)], RemittanceMethod.GROSS)
    assert (totals.remit_cents, totals.carried_out_cents) == (0, -4000)
    assert totals.invoiced_fees_cents == -1200  # a credit note


def test_a_statement_that_exactly_covers_the_carry_remits_nothing_and_carries_nothing() -> None:
    totals = statement_totals(
        [line_for_payment(10000, THIRTY_PERCENT, "agency")], RemittanceMethod.NET, -7000
    )
    assert (totals.remit_cents, totals.carried_out_cents) == (0, 0)


def test_only_a_debt_is_carried_in() -> None:
    with pytest.raises(ValueError, match="must be <= 0"):
        statement_totals([], RemittanceMethod.NET, carried_in_cents=1)


lines_strategy = st.lists(
    st.builds(
        line_for_payment,
        st.integers(min_value=1, max_value=10**9),
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["agency", "client"]),
    ).flatmap(lambda line: st.sampled_from([line, reversal_of(line)])),
    max_size=30,
)


@given(lines_strategy, st.integers(max_value=0, min_value=-(10**9)))
def test_nothing_is_lost_between_remittance_and_carry(
    lines: list[StatementLine], carried_in: int
) -> None:
    for method in RemittanceMethod:
        totals = statement_totals(lines, method, carried_in)
        period = totals.net_cents if method is RemittanceMethod.NET else totals.gross_cents
        assert totals.remit_cents + totals.carried_out_cents == period + carried_in
        assert totals.remit_cents >= 0 >= totals.carried_out_cents
        assert totals.remit_cents == 0 or totals.carried_out_cents == 0


@given(lines_strategy)
def test_gross_less_invoiced_fees_equals_net(lines: list[StatementLine]) -> None:
    net = statement_totals(lines, RemittanceMethod.NET)
    gross = statement_totals(lines, RemittanceMethod.GROSS)
    assert gross.gross_cents - gross.invoiced_fees_cents == net.net_cents


# --- clearing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "hold", "expected"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23)),  # no hold: clears when received
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday + 1 = Tuesday
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # Wednesday + 1 skips Thanksgiving
        (date(2026, 11, 25), 2, date(2026, 11, 30)),  # ... and the weekend
        (date(2026, 11, 20), 5, date(2026, 11, 30)),  # ACH 5 from a Friday: Thanksgiving week
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # received on a Saturday
        (date(2026, 11, 16), 10, date(2026, 12, 1)),  # check 10 over a weekend and Thanksgiving
    ],
)
def test_cleared_on_counts_business_days(received_on: date, hold: int, expected: date) -> None:
    assert cleared_on(received_on, hold) == expected


def test_cleared_on_refuses_a_negative_hold() -> None:
    with pytest.raises(ValueError, match="negative"):
        cleared_on(date(2026, 11, 23), -1)


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "$0.00"), (5, "$0.05"), (-5, "-$0.05"), (123_456_789, "$1,234,567.89"), (-100, "-$1.00")],
)
def test_cents_are_shown_as_dollars(cents: int, shown: str) -> None:
    assert dollars(cents) == shown


# --- running balances ---------------------------------------------------------------------


def _after(start: int, *steps: tuple[str, int]) -> list[tuple[int, int]]:
    return [
        (b.before_cents, b.after_cents) for b in running_balances(start, [Step(*s) for s in steps])
    ]


def test_running_balance_pays_down_to_zero_and_keeps_the_rest_as_credit() -> None:
    # 100.00 owed: 60.00 paid, then 70.00 of which 30.00 is credit due back.
    assert _after(10_000, ("payment", 6_000), ("payment", 7_000)) == [(10_000, 4_000), (4_000, 0)]
    # Reversing the second takes back the 30.00 credit first: only 40.00 goes back on.
    assert _after(10_000, ("payment", 6_000), ("payment", 7_000), ("reversal", 7_000))[-1] == (
        0, 4_000,
    )  # fmt: skip
    # Reversing the first then turns that credit into payment: 60.00 less 30.00 credit.
    assert _after(10_000, ("payment", 6_000), ("payment", 7_000), ("reversal", 6_000))[-1] == (
        0, 3_000,
    )  # fmt: skip


def test_running_balance_follows_the_order_given() -> None:
    # The same three payments read in received order, whatever order they were posted in.
    assert _after(100_000, ("payment", 1_000), ("payment", 2_000), ("payment", 3_000)) == [
        (100_000, 99_000), (99_000, 97_000), (97_000, 94_000),
    ]  # fmt: skip


def test_an_adjustment_never_takes_the_running_balance_below_zero() -> None:
    # A settlement's write-off of 200.00 after a back-dated payment left only 150.00 owing.
    assert _after(100_000, ("payment", 85_000), ("settlement_write_off", -20_000)) == [
        (100_000, 15_000), (15_000, 0),
    ]  # fmt: skip
    assert _after(0, ("client_adjustment", 2_500)) == [(0, 2_500)]
