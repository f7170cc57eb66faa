"""Settlement authority bands (DESIGN.md "Authority"): plan schedules, bands, every edge."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.clients.authority import Authority, Band, Limits, parse_authority
from server.settlements.authority import (
    Dimension,
    Installment,
    LumpSum,
    Offer,
    OfferInvalid,
    Plan,
    bands_by_dimension,
    months_later,
    offer_band,
    plan_length_months,
    validate_plan,
)
from tests.clients.test_authority import DESIGN_AUTHORITY, with_limit

AUTHORITY = parse_authority(DESIGN_AUTHORITY)
BALANCE = 1_000_000  # 10,000.00
OFFERED_ON = date(2026, 1, 15)
COLLECTOR, SUPERVISOR, CLIENT = Band.COLLECTOR, Band.SUPERVISOR, Band.CLIENT


def plan(*installments: tuple[date, int], offered_on: date = OFFERED_ON) -> Plan:
    schedule = tuple(Installment(due, amount) for due, amount in installments)
    return Plan(sum(amount for _, amount in installments), offered_on, schedule)


def every_two_weeks(count: int, amount_cents: int) -> Plan:
    """`count` equal instalments a fortnight apart from the offer date: 13 of them still
    end within 6 months, so only the count and the amounts can move the band."""
    return plan(*((OFFERED_ON + timedelta(weeks=2 * i), amount_cents) for i in range(count)))


def dimensions(offer: Offer, authority: Authority = AUTHORITY) -> dict[Dimension, Band]:
    return bands_by_dimension(authority, BALANCE, offer)


def only(dimension: Dimension, band: Band, offer: Offer) -> None:
    """The offer is in `band` because of `dimension` alone."""
    expected = {dim: COLLECTOR for dim in dimensions(offer)} | {dimension: band}
    assert dimensions(offer) == expected
    assert offer_band(AUTHORITY, BALANCE, offer) is band


# --- validate_plan -------------------------------------------------------------------------


def plan_errors(offer: Plan) -> list[tuple[str, str]]:
    with pytest.raises(OfferInvalid) as caught:
        validate_plan(offer)
    return [(error.field, error.reason) for error in caught.value.errors]


def test_a_valid_plan_may_start_on_the_offer_date() -> None:
    validate_plan(plan((OFFERED_ON, 5000), (date(2026, 2, 15), 5000)))


def test_due_dates_must_strictly_increase() -> None:
    offer = plan(
        (date(2026, 2, 1), 5000),
        (date(2026, 3, 1), 5000),
        (date(2026, 3, 1), 5000),
        (date(2026, 2, 20), 5000),
    )
    assert plan_errors(offer) == [
        ("installments[2].due_date", "must be after the previous instalment's (2026-03-01)"),
        ("installments[3].due_date", "must be after the previous instalment's (2026-03-01)"),
    ]


def test_first_due_date_not_before_the_offer() -> None:
    offer = plan((OFFERED_ON - timedelta(days=1), 5000))
    assert plan_errors(offer) == [
        ("installments[0].due_date", "must not be before the offer date (2026-01-15)")
    ]


def test_amounts_positive_and_adding_up() -> None:
    schedule = (Installment(date(2026, 2, 1), 0), Installment(date(2026, 3, 1), -1))
    assert plan_errors(Plan(5000, OFFERED_ON, schedule)) == [
        ("installments[0].amount_cents", "must be positive"),
        ("installments[1].amount_cents", "must be positive"),
        ("installments", "must add up to amount_cents (5000), not -1"),
    ]
    assert plan_errors(Plan(0, OFFERED_ON, ())) == [
        ("amount_cents", "must be positive"),
        ("installments", "must hold at least one instalment"),
    ]


def test_an_invalid_plan_has_no_band() -> None:
    with pytest.raises(OfferInvalid):
        offer_band(AUTHORITY, BALANCE, Plan(5000, OFFERED_ON, ()))
    with pytest.raises(OfferInvalid):
        offer_band(AUTHORITY, BALANCE, LumpSum(0))


def test_there_is_no_band_without_a_balance() -> None:
    with pytest.raises(ValueError, match="nothing to settle"):
        offer_band(AUTHORITY, 0, LumpSum(100))


# --- plan length ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 10), 1, date(2027, 1, 10)),
        (date(2026, 3, 31), 0, date(2026, 3, 31)),
    ],
)
def test_months_later_keeps_the_day_or_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert months_later(day, months) == expected


@pytest.mark.parametrize(
    ("offered_on", "last_due", "months"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 0),
        (date(2026, 1, 15), date(2026, 1, 16), 1),
        (date(2026, 1, 15), date(2026, 7, 15), 6),
        (date(2026, 1, 15), date(2026, 7, 16), 7),
        (date(2026, 1, 15), date(2027, 1, 15), 12),
        (date(2026, 8, 31), date(2027, 2, 28), 6),
        (date(2026, 8, 31), date(2027, 3, 1), 7),
        (date(2026, 1, 31), date(2026, 3, 1), 2),
    ],
)
def test_plan_length_in_months(offered_on: date, last_due: date, months: int) -> None:
    assert plan_length_months(offered_on, last_due) == months


def test_plan_length_refuses_a_plan_ending_before_its_offer() -> None:
    with pytest.raises(ValueError, match="cannot be offered"):
        plan_length_months(date(2026, 1, 15), date(2026, 1, 14))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 400))
def test_plan_length_is_the_fewest_months_reaching_the_last_due_date(
    offered_on: date, days: int
) -> None:
    last_due = offered_on + timedelta(days=days)
    months = plan_length_months(offered_on, last_due)
    assert last_due <= months_later(offered_on, months)
    assert months == 0 or last_due > months_later(offered_on, months - 1)


# --- band edges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_cents", "band"),
    [
        (BALANCE, COLLECTOR),
        (800_000, COLLECTOR),  # exactly 80 %
        (799_999, SUPERVISOR),  # one cent below
        (650_000, SUPERVISOR),  # exactly 65 %
        (649_999, CLIENT),  # one cent below
        (1, CLIENT),
        (BALANCE + 1, COLLECTOR),  # more than owed is never less authority
    ],
)
def test_lump_sum_percent_edges(amount_cents: int, band: Band) -> None:
    assert offer_band(AUTHORITY, BALANCE, LumpSum(amount_cents)) is band


def test_percent_of_an_uneven_balance_is_compared_without_rounding() -> None:
    # 80 % of 10.01 is 8.008: 8.01 reaches it, 8.00 does not.
    assert offer_band(AUTHORITY, 1001, LumpSum(801)) is COLLECTOR
    assert offer_band(AUTHORITY, 1001, LumpSum(800)) is SUPERVISOR
    # 65 % of 10.01 is 6.5065.
    assert offer_band(AUTHORITY, 1001, LumpSum(651)) is SUPERVISOR
    assert offer_band(AUTHORITY, 1001, LumpSum(650)) is CLIENT


def test_a_plan_total_is_held_to_the_percent() -> None:
    only(Dimension.AMOUNT, COLLECTOR, every_two_weeks(4, 200_000))  # exactly 80 %
    only(
        Dimension.AMOUNT, SUPERVISOR, plan((date(2026, 2, 1), 400_000), (date(2026, 3, 1), 399_999))
    )
    only(Dimension.AMOUNT, SUPERVISOR, every_two_weeks(2, 325_000))  # exactly 65 %
    only(Dimension.AMOUNT, CLIENT, plan((date(2026, 2, 1), 325_000), (date(2026, 3, 1), 324_999)))


@pytest.mark.parametrize(
    ("count", "band"), [(6, COLLECTOR), (7, SUPERVISOR), (12, SUPERVISOR), (13, CLIENT)]
)
def test_instalment_count_edges(count: int, band: Band) -> None:
    # 1,400.00 each: even 6 of them are 84 % of the balance.
    only(Dimension.INSTALLMENTS, band, every_two_weeks(count, 140_000))


@pytest.mark.parametrize(
    ("last_due", "band"),
    [
        (date(2026, 7, 15), COLLECTOR),  # exactly 6 months
        (date(2026, 7, 16), SUPERVISOR),  # one day more
        (date(2027, 1, 15), SUPERVISOR),  # exactly 12 months
        (date(2027, 1, 16), CLIENT),  # one day more
    ],
)
def test_plan_length_edges(last_due: date, band: Band) -> None:
    only(Dimension.LENGTH, band, plan((date(2026, 2, 15), 500_000), (last_due, 500_000)))


def test_smallest_instalment_edges() -> None:
    only(
        Dimension.SMALLEST_INSTALLMENT,
        COLLECTOR,
        plan((date(2026, 2, 1), 2500), (date(2026, 3, 1), 897_500)),
    )
    # 24.99 is below the supervisor's minimum too, so it goes to the client.
    only(
        Dimension.SMALLEST_INSTALLMENT,
        CLIENT,
        plan((date(2026, 2, 1), 2499), (date(2026, 3, 1), 897_501)),
    )


def test_a_short_last_instalment_counts_as_the_smallest() -> None:
    only(
        Dimension.SMALLEST_INSTALLMENT,
        CLIENT,
        plan((date(2026, 2, 1), 897_501), (date(2026, 3, 1), 2499)),
    )


def test_smallest_instalment_between_the_two_minimums_needs_the_supervisor() -> None:
    raw = with_limit("supervisor", "min_installment_cents", 1000)
    authority = parse_authority(raw)
    offer = plan((date(2026, 2, 1), 1000), (date(2026, 3, 1), 899_000))
    assert dimensions(offer, authority)[Dimension.SMALLEST_INSTALLMENT] is SUPERVISOR
    assert offer_band(authority, BALANCE, offer) is SUPERVISOR
    smaller = plan((date(2026, 2, 1), 999), (date(2026, 3, 1), 899_001))
    assert offer_band(authority, BALANCE, smaller) is CLIENT


def test_the_band_is_the_highest_any_dimension_requires() -> None:
    # 7 instalments (supervisor) over 13 months (client), the rest inside the collector.
    offer = plan(*((date(2026, 2, 15) + timedelta(days=66 * i), 130_000) for i in range(7)))
    assert dimensions(offer) == {
        Dimension.AMOUNT: COLLECTOR,
        Dimension.INSTALLMENTS: SUPERVISOR,
        Dimension.LENGTH: CLIENT,
        Dimension.SMALLEST_INSTALLMENT: COLLECTOR,
    }
    assert offer_band(AUTHORITY, BALANCE, offer) is CLIENT


def test_a_lump_sum_has_only_its_amount() -> None:
    assert dimensions(LumpSum(900_000)) == {Dimension.AMOUNT: COLLECTOR}


# --- properties ----------------------------------------------------------------------------


@st.composite
def authorities(draw: st.DrawFn) -> Authority:
    collector = Limits(
        min_percent=draw(st.integers(1, 100)),
        max_installments=draw(st.integers(1, 24)),
        max_months=draw(st.integers(1, 24)),
        min_installment_cents=draw(st.integers(1, 10_000)),
    )
    supervisor = Limits(
        min_percent=draw(st.integers(1, collector.min_percent)),
        max_installments=draw(st.integers(collector.max_installments, 36)),
        max_months=draw(st.integers(collector.max_months, 36)),
        min_installment_cents=draw(st.integers(1, collector.min_installment_cents)),
    )
    return Authority(collector, supervisor)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    offered_on = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
    gaps = draw(st.lists(st.integers(1, 120), min_size=1, max_size=20))
    first = offered_on + timedelta(days=draw(st.integers(0, 60)))
    dues = [first]
    for gap in gaps[1:]:
        dues.append(dues[-1] + timedelta(days=gap))
    amounts = draw(st.lists(st.integers(1, 200_000), min_size=len(dues), max_size=len(dues)))
    return plan(*zip(dues, amounts, strict=True), offered_on=offered_on)


offers = st.one_of(st.builds(LumpSum, st.integers(1, 3_000_000)), plans())
balances = st.integers(1, 2_000_000)


def oracle_band(authority: Authority, balance_cents: int, offer: Offer) -> Band:
    """The band from DESIGN.md's rule read literally, level by level, dimension by dimension."""

    def inside(limits: Limits) -> bool:
        if Fraction(offer.amount_cents, balance_cents) < Fraction(limits.min_percent, 100):
            return False
        if isinstance(offer, LumpSum):
            return True
        last_due = offer.installments[-1].due_date
        return (
            len(offer.installments) <= limits.max_installments
            and last_due <= months_later(offer.offered_on, limits.max_months)
            and all(i.amount_cents >= limits.min_installment_cents for i in offer.installments)
        )

    if inside(authority.collector):
        return COLLECTOR
    return SUPERVISOR if inside(authority.supervisor) else CLIENT


@given(authorities(), balances, offers)
def test_band_is_the_max_over_dimensions(authority: Authority, balance: int, offer: Offer) -> None:
    band = offer_band(authority, balance, offer)
    per_dimension = bands_by_dimension(authority, balance, offer)
    assert band.rank == max(b.rank for b in per_dimension.values())
    assert band is oracle_band(authority, balance, offer)


@given(authorities(), balances, st.integers(1, 3_000_000), st.integers(0, 1_000_000))
def test_raising_a_lump_sum_never_raises_the_band(
    authority: Authority, balance: int, amount: int, raise_by: int
) -> None:
    before = offer_band(authority, balance, LumpSum(amount))
    after = offer_band(authority, balance, LumpSum(amount + raise_by))
    assert after.rank <= before.rank


@given(authorities(), balances, plans(), st.data())
def test_raising_an_instalment_never_raises_the_band(
    authority: Authority, balance: int, offer: Plan, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(offer.installments) - 1))
    raise_by = data.draw(st.integers(1, 1_000_000))
    schedule = list(offer.installments)
    schedule[index] = Installment(schedule[index].due_date, schedule[index].amount_cents + raise_by)
    raised = Plan(offer.amount_cents + raise_by, offer.offered_on, tuple(schedule))
    before = offer_band(authority, balance, offer)
    assert offer_band(authority, balance, raised).rank <= before.rank
