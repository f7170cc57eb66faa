"""The account score: expected recovery per call, 0-1000, with its parts kept.

Pure: the weights and the formula. The dispatcher computes the same formula set-based in
SQL (`server.dispatch.score_repository.RESCORE`) with these weights bound as parameters; `score()`
here is the reference a test holds the SQL to.

    likelihood = min(1, base_rate × age × contact × balance)
      age      = exp(−age_decay_per_week × weeks since the delinquency date)
                 (decay ln 4 / 52 ≈ 2.6 % a week: a quarter of the early level at 12
                 months — industry figures put the fall at 1-3 % a week)
      contact  = ssn_factor (an SSN on file: about twice the recovery)
               × address_factor (a full address with a zone: several times better)
               × phone_factor (a valid number whose zone is known) or no_zone_factor
               × right_party_factor (a conversation with the consumer on record)
               × wrong_number_factor (a number found to be someone else's)
      balance  = balance_half_cents / (balance_half_cents + balance)  (lower balances
                 are paid more often)
    expected recovery = balance × likelihood
    score    = round(1000 × ln(1 + expected dollars) / ln(1 + cap dollars)), in [0, 1000]

Priority sits beside the score, not inside it: 2 = a callback the consumer asked for is
due, 1 = a promise to pay was broken, 0 otherwise; queues are ranked by priority first
(DESIGN: due callbacks and broken promises come first), then score.

The defaults are calibrated on the industry figures in DESIGN.md (a fresh account with
SSN, address and a known number at about 25-30 % likelihood, an average book near the
15-22 % yearly liquidation). They are configuration: `AGENCY_SCORE_WEIGHTS` holds a JSON
object overriding any of them, read with the other settings (server/kit/settings.py) and
checked here (`configured_weights`) when the API and the worker start and where they are used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime

from server.kit.dollars import dollars
from server.kit.settings import Settings, SettingsError

PRIORITY_CALLBACK_DUE = 2
PRIORITY_BROKEN_PROMISE = 1
PRIORITY_NONE = 0


@dataclass(frozen=True, slots=True)
class Weights:
    base_rate: float = 0.05
    age_decay_per_week: float = math.log(4) / 52
    ssn_factor: float = 2.0
    address_factor: float = 3.0
    phone_factor: float = 1.25
    no_zone_factor: float = 1.0
    right_party_factor: float = 1.5
    wrong_number_factor: float = 0.6
    balance_half_cents: int = 250_000
    cap_cents: int = 500_000

    def as_params(self) -> tuple[float | int, ...]:
        """The weights in the order the rescoring SQL binds them ($2 onwards)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def as_json(self) -> str:
        """The weights as the dispatcher records them with each rescore (in field order)."""
        return json.dumps(asdict(self))


DEFAULT_WEIGHTS = Weights()


class WeightsError(ValueError):
    pass


def weights_from(given: Mapping[str, object]) -> Weights:
    """The defaults, overridden by a mapping of weight names to positive numbers."""
    if not given:
        return DEFAULT_WEIGHTS
    known = asdict(DEFAULT_WEIGHTS)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise WeightsError(f"unknown weights {unknown}")
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise WeightsError(f"{name} must be a positive number")
        if isinstance(known[name], int) and not isinstance(value, int):
            raise WeightsError(f"{name} must be a whole number of cents")
    return replace(DEFAULT_WEIGHTS, **given)  # type: ignore[arg-type]


def configured_weights(settings: Settings) -> Weights:
    """The weights `AGENCY_SCORE_WEIGHTS` sets; a bad one is a `SettingsError` naming it,
    which stops the API and the worker at start-up."""
    try:
        return weights_from(settings.score_weights)
    except WeightsError as error:
        raise SettingsError("AGENCY_SCORE_WEIGHTS", str(error)) from None


def rescore_since(
    last: tuple[datetime, str] | None, now: datetime, weights: Weights
) -> datetime | None:
    """When the dispatcher's last rescore ran, if this one may rescore only the accounts
    whose facts were written since; None when every open account must be rescored: no run
    yet, other weights, the clock gone back, or another UTC day since (the age factor
    counts the days to the as-of date, so every score ages once a day: the daily pass).
    `last`: the last rescore's instant and weights (`Weights.as_json`)."""
    if last is None or last[1] != weights.as_json():
        return None
    at = last[0]
    if now < at or now.astimezone(UTC).date() != at.astimezone(UTC).date():
        return None
    return at


@dataclass(frozen=True, slots=True)
class Facts:
    """What the score reads of one account and its person."""

    balance_cents: int
    delinquency_date: date
    ssn_on_file: bool
    good_address: bool
    phone_with_zone: bool
    right_party_contact: bool
    wrong_number: bool
    callback_due: bool
    broken_promise: bool


@dataclass(frozen=True, slots=True)
class Score:
    score: int
    expected_recovery_cents: int
    age_permille: int
    contact_permille: int
    balance_permille: int
    priority: int


def _contact_terms(facts: Facts, w: Weights) -> list[tuple[str, float]]:
    """The contactability factors that apply, each with what it stands for."""
    terms = [
        ("SSN on file", w.ssn_factor, facts.ssn_on_file),
        ("a full address with a zone", w.address_factor, facts.good_address),
        ("a valid number in a known zone", w.phone_factor, facts.phone_with_zone),
        ("no number in a known zone", w.no_zone_factor, not facts.phone_with_zone),
        ("the consumer reached on a call", w.right_party_factor, facts.right_party_contact),
        ("a number that reached someone else", w.wrong_number_factor, facts.wrong_number),
    ]
    return [(name, factor) for name, factor, holds in terms if holds]


def _weeks(facts: Facts, as_of: date) -> float:
    return max(0, (as_of - facts.delinquency_date).days) / 7.0


def score(facts: Facts, as_of: date, weights: Weights = DEFAULT_WEIGHTS) -> Score:
    w = weights
    age = math.exp(-w.age_decay_per_week * _weeks(facts, as_of))
    contact = math.prod(factor for _, factor in _contact_terms(facts, w))
    balance = max(0, facts.balance_cents)
    size = w.balance_half_cents / (w.balance_half_cents + balance)
    likelihood = min(1.0, w.base_rate * age * contact * size)
    expected = balance * likelihood
    scaled = 1000 * math.log1p(expected / 100) / math.log1p(w.cap_cents / 100)
    priority = (
        PRIORITY_CALLBACK_DUE
        if facts.callback_due
        else PRIORITY_BROKEN_PROMISE
        if facts.broken_promise
        else PRIORITY_NONE
    )
    return Score(
        score=max(0, min(1000, round(scaled))),
        expected_recovery_cents=round(expected),
        age_permille=round(age * 1000),
        contact_permille=round(contact * 1000),
        balance_permille=round(size * 1000),
        priority=priority,
    )


@dataclass(frozen=True, slots=True)
class Part:
    """One factor of the score with its value and what made it so, in words."""

    part: str
    value: float
    sentence: str


def _times(permille: int) -> str:
    return f"{permille / 1000:.2f}×"


_PRIORITIES = {
    PRIORITY_CALLBACK_DUE: "a callback the consumer asked for is due: served first",
    PRIORITY_BROKEN_PROMISE: "a promise to pay was broken: served before the rest",
    PRIORITY_NONE: "none: ranked by score",
}


def parts(facts: Facts, as_of: date, weights: Weights = DEFAULT_WEIGHTS) -> list[Part]:
    """The score's factors as `score()` multiplies them, each with its sentence
    ("contactability 3.75×: SSN on file ×2.00, a full address with a zone ×3.00, a valid
    number in a known zone ×1.25"), then the expected recovery and the priority."""
    w = weights
    made = score(facts, as_of, w)
    age, contact, size = made.age_permille, made.contact_permille, made.balance_permille
    weekly = (1 - math.exp(-w.age_decay_per_week)) * 100
    said = ", ".join(f"{name} ×{factor:.2f}" for name, factor in _contact_terms(facts, w))
    balance = max(0, facts.balance_cents)
    likelihood = made.expected_recovery_cents / balance * 100 if balance else 0.0
    return [
        Part("base_rate", w.base_rate, f"base rate {w.base_rate * 100:g} %: the chance of"
             " payment of a fresh account with nothing known"),
        Part("age", age / 1000, f"age {_times(age)}: {int(_weeks(facts, as_of))} weeks since"
             f" the delinquency date, {weekly:.1f} % less each week"),
        Part("contactability", contact / 1000, f"contactability {_times(contact)}: {said}"),
        Part("balance", size / 1000, f"balance {_times(size)}: {dollars(balance)} owed (half"
             f" as likely at {dollars(w.balance_half_cents)}; smaller balances are paid more"
             " often)"),
        Part("expected_recovery", made.expected_recovery_cents / 100,
             f"expected recovery {dollars(made.expected_recovery_cents)}: the balance ×"
             f" {likelihood:.1f} % likelihood"),
        Part("priority", made.priority, f"priority {made.priority}: {_PRIORITIES[made.priority]}"),
    ]  # fmt: skip
