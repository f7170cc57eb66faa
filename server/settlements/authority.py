"""Settlement authority bands (DESIGN.md "Authority" and "offer").

A client authorizes its collectors and the agency's supervisors to settle within limits
(the client's configuration, parsed by `server.clients.authority`). An offer's band is the
highest level that any of its dimensions requires; beyond the supervisor it goes to the
client. Every comparison is in integers.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from server.clients.authority import Authority, Band, FieldErrors, Limits
from server.kit.dollars import dollars
from server.kit.errors import FieldError


class OfferInvalid(FieldErrors):
    pass


# --- offers -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LumpSum:
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Installment:
    due_date: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A payment plan as agreed on a call.

    `offered_on` is the date the offer is made, in the local calendar the service decides
    (the length of the plan is counted from it).
    """

    amount_cents: int
    offered_on: date
    installments: tuple[Installment, ...]


Offer = LumpSum | Plan


class Dimension(StrEnum):
    AMOUNT = "amount"
    INSTALLMENTS = "installments"
    LENGTH = "length"
    SMALLEST_INSTALLMENT = "smallest_installment"


def validate_plan(plan: Plan) -> None:
    """Refuse a schedule that is not a plan at all, with `OfferInvalid` listing every fault.

    Dates strictly increase (one instalment a day at most, none twice), the first falls
    on or after the offer date, every amount is positive and they add up to the offer.
    """
    errors: list[FieldError] = []
    if plan.amount_cents <= 0:
        errors.append(FieldError("amount_cents", "must be positive"))
    if not plan.installments:
        errors.append(FieldError("installments", "must hold at least one instalment"))
    previous: date | None = None
    for index, installment in enumerate(plan.installments):
        path = f"installments[{index}]"
        if previous is None and installment.due_date < plan.offered_on:
            reason = f"must not be before the offer date ({plan.offered_on.isoformat()})"
            errors.append(FieldError(f"{path}.due_date", reason))
        if previous is not None and installment.due_date <= previous:
            reason = f"must be after the previous instalment's ({previous.isoformat()})"
            errors.append(FieldError(f"{path}.due_date", reason))
        if installment.amount_cents <= 0:
            errors.append(FieldError(f"{path}.amount_cents", "must be positive"))
        previous = installment.due_date
    total = sum(installment.amount_cents for installment in plan.installments)
    if plan.installments and total != plan.amount_cents:
        reason = f"must add up to amount_cents ({plan.amount_cents}), not {total}"
        errors.append(FieldError("installments", reason))
    if errors:
        raise OfferInvalid(errors)


def months_later(day: date, months: int) -> date:
    """The same day `months` calendar months on, or the month's last day if it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def plan_length_months(offered_on: date, last_due: date) -> int:
    """The fewest calendar months from the offer that reach the last instalment: a plan
    fits in `n` months iff its last due date is on or before `months_later(offered_on, n)`.

    Offered 15 January, a last instalment on 15 July is 6 months; on 16 July, 7.
    """
    if last_due < offered_on:
        raise ValueError(f"a plan ending {last_due} cannot be offered on {offered_on}")
    months = (last_due.year - offered_on.year) * 12 + last_due.month - offered_on.month
    # `months_later(offered_on, months)` falls in last_due's month; one month fewer cannot
    # reach it, one more always does.
    return months if last_due <= months_later(offered_on, months) else months + 1


def _band(inside: Callable[[Limits], bool], authority: Authority) -> Band:
    if inside(authority.collector):
        return Band.COLLECTOR
    if inside(authority.supervisor):
        return Band.SUPERVISOR
    return Band.CLIENT


def bands_by_dimension(
    authority: Authority, balance_cents: int, offer: Offer
) -> dict[Dimension, Band]:
    """The band each dimension of the offer requires on its own (a lump sum has only its
    amount). A plan is validated first: the band of a schedule that is not a plan means
    nothing."""
    if balance_cents <= 0:
        raise ValueError(f"there is nothing to settle on a balance of {balance_cents} cents")
    if isinstance(offer, Plan):
        validate_plan(offer)
    elif offer.amount_cents <= 0:
        raise OfferInvalid([FieldError("amount_cents", "must be positive")])

    def settles_enough(limits: Limits) -> bool:
        # amount / balance >= min_percent / 100, cross-multiplied to stay in integers.
        return offer.amount_cents * 100 >= balance_cents * limits.min_percent

    bands = {Dimension.AMOUNT: _band(settles_enough, authority)}
    if isinstance(offer, Plan):
        count = len(offer.installments)
        months = plan_length_months(offer.offered_on, offer.installments[-1].due_date)
        # Every instalment, the last included, must meet the minimum: DESIGN.md names the
        # smallest instalment with no exception, and a short last instalment can always be
        # folded into the one before it.
        smallest = min(installment.amount_cents for installment in offer.installments)
        bands[Dimension.INSTALLMENTS] = _band(lambda lim: count <= lim.max_installments, authority)
        bands[Dimension.LENGTH] = _band(lambda lim: months <= lim.max_months, authority)
        bands[Dimension.SMALLEST_INSTALLMENT] = _band(
            lambda lim: smallest >= lim.min_installment_cents, authority
        )
    return bands


def offer_band(authority: Authority, balance_cents: int, offer: Offer) -> Band:
    """Who may accept the offer: the highest level any of its dimensions requires."""
    return max(
        bands_by_dimension(authority, balance_cents, offer).values(), key=lambda band: band.rank
    )


# Who decides a pending offer (DESIGN.md "Security", four eyes): an offer beyond the
# collector's band goes to the agency's supervisors (an admin stands in for one), one beyond
# the supervisor's to the client alone, whose authority it is — and never to the person who
# made it, so a supervisor's or an admin's own offer waits for another supervisor or admin.
DECIDERS: Mapping[str, frozenset[str]] = {
    "pending_supervisor": frozenset({"supervisor", "admin"}),
    "pending_client": frozenset({"client"}),
}


def refusal_to_decide(role: str, status: str, *, made_it: bool) -> str | None:
    """Why a caller of `role` may not decide a pending offer in `status`; None when it may."""
    if made_it:
        return "nobody decides an offer they made: another person must"
    if role not in DECIDERS.get(status, frozenset()):
        deciders = " or ".join(sorted(DECIDERS.get(status, ())))
        return f"an offer that is {status} is decided by a {deciders}, not a {role}"
    return None


# --- in words -----------------------------------------------------------------------------


def lowest_settlement_cents(limits: Limits, balance_cents: int) -> int:
    """The least a settlement within `limits` may total: min_percent of the balance,
    rounded up to the cent (the band's test, amount × 100 ≥ balance × percent)."""
    return -(-balance_cents * limits.min_percent // 100)


def band_sentence(limits: Limits, balance_cents: int) -> str:
    """What a caller of this level may accept on its own, in dollars: "A lump sum or a
    plan totalling at least $800.00 (80 % of $1,000.00); a plan of at most 6 instalments
    over at most 6 months, each at least $25.00."."""
    lowest = dollars(lowest_settlement_cents(limits, balance_cents))
    return (
        f"A lump sum or a plan totalling at least {lowest} ({limits.min_percent} % of"
        f" {dollars(balance_cents)}); a plan of at most {limits.max_installments} instalments"
        f" over at most {limits.max_months} months, each at least"
        f" {dollars(limits.min_installment_cents)}."
    )


def band_reasons(authority: Authority, balance_cents: int, offer: Offer) -> list[str]:
    """Why the offer is beyond the collector's band, one sentence per limit it passes
    ("70 % < the collector's 80 %"), the level that stops it named; [] inside the band."""
    bands = bands_by_dimension(authority, balance_cents, offer)
    reasons: list[str] = []
    for dimension, band in bands.items():
        if band == Band.COLLECTOR:
            continue
        limits = authority.collector if band == Band.SUPERVISOR else authority.supervisor
        level = "collector's" if band == Band.SUPERVISOR else "supervisor's"
        reasons.append(_reason(dimension, limits, level, balance_cents, offer))
    return reasons


def _reason(
    dimension: Dimension, limits: Limits, level: str, balance_cents: int, offer: Offer
) -> str:
    if dimension == Dimension.AMOUNT:
        # Rounded down, so a share just under the limit never reads as equal to it.
        share = offer.amount_cents * 100 // balance_cents
        return (
            f"settles {share} % of the balance ({dollars(offer.amount_cents)} of"
            f" {dollars(balance_cents)}) < the {level} {limits.min_percent} %"
        )
    assert isinstance(offer, Plan)
    if dimension == Dimension.INSTALLMENTS:
        return f"{len(offer.installments)} instalments > the {level} {limits.max_installments}"
    if dimension == Dimension.LENGTH:
        months = plan_length_months(offer.offered_on, offer.installments[-1].due_date)
        return f"{months} months > the {level} {limits.max_months}"
    smallest = min(i.amount_cents for i in offer.installments)
    return (
        f"an instalment of {dollars(smallest)} < the {level}"
        f" {dollars(limits.min_installment_cents)}"
    )
