"""A client's settlement authority: the limits within which its collectors and the agency's
supervisors may settle (DESIGN.md "Authority"), as the client's settings hold them:

    {"collector":  {"min_percent": 80, "max_installments": 6,  "max_months": 6,
                    "min_installment_cents": 2500},
     "supervisor": {"min_percent": 65, "max_installments": 12, "max_months": 12,
                    "min_installment_cents": 2500}}

Pure: parsing and checking the configuration. Judging an offer against it is
settlements' (`server.settlements.authority`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from server.kit.errors import FieldError


class FieldErrors(ValueError):
    """Input refused field by field; the service turns `errors` into the API's `details`."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{error.field}: {error.reason}" for error in self.errors))


class AuthorityInvalid(FieldErrors):
    pass


class Band(StrEnum):
    """Who may accept an offer, lowest first: the order is the escalation."""

    COLLECTOR = "collector"
    SUPERVISOR = "supervisor"
    CLIENT = "client"

    @property
    def rank(self) -> int:
        return list(Band).index(self)


@dataclass(frozen=True, slots=True)
class Limits:
    """What one level may agree to without asking the level above."""

    min_percent: int
    max_installments: int
    max_months: int
    min_installment_cents: int


@dataclass(frozen=True, slots=True)
class Authority:
    collector: Limits
    supervisor: Limits


# --- parsing ------------------------------------------------------------------------------

# Each limit's accepted range, inclusive (None: no upper bound), and the reason given
# when it is out of it; a percent of 0 would authorize settling for nothing.
_PERCENT = (1, 100, "must be an integer between 1 and 100")
_POSITIVE = (1, None, "must be a positive integer")
_RANGES: dict[str, tuple[int, int | None, str]] = {
    "min_percent": _PERCENT,
    "max_installments": _POSITIVE,
    "max_months": _POSITIVE,
    "min_installment_cents": _POSITIVE,
}

# How the supervisor's limit must compare with the collector's for its band to hold it:
# +1 where a larger number is wider (more instalments), -1 where smaller is (a lower percent).
_WIDER: dict[str, int] = {
    "min_percent": -1,
    "max_installments": +1,
    "max_months": +1,
    "min_installment_cents": -1,
}


def _as_int_in(value: object, low: int, high: int | None) -> int | None:
    # JSON's true/false arrive as bool, which Python counts as an int.
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if value < low or (high is not None and value > high):
        return None
    return value


def _parse_limits(raw: object, path: str, errors: list[FieldError]) -> Limits | None:
    if not isinstance(raw, Mapping):
        errors.append(FieldError(path, "must be an object"))
        return None
    before = len(errors)
    errors.extend(
        FieldError(f"{path}.{key}", "is not a known limit") for key in raw if key not in _RANGES
    )
    values: dict[str, int] = {}
    for name, (low, high, reason) in _RANGES.items():
        if name not in raw:
            errors.append(FieldError(f"{path}.{name}", "is required"))
        elif (value := _as_int_in(raw[name], low, high)) is None:
            errors.append(FieldError(f"{path}.{name}", reason))
        else:
            values[name] = value
    return Limits(**values) if len(errors) == before else None


def parse_authority(raw: object) -> Authority:
    """A client's authority from its JSON form, or `AuthorityInvalid` listing every fault."""
    errors: list[FieldError] = []
    if not isinstance(raw, Mapping):
        raise AuthorityInvalid([FieldError("authority", "must be an object")])
    levels = (Band.COLLECTOR.value, Band.SUPERVISOR.value)
    errors.extend(
        FieldError(f"authority.{key}", "is not a known level") for key in raw if key not in levels
    )
    parsed: dict[str, Limits | None] = {}
    for level in levels:
        if level not in raw:
            errors.append(FieldError(f"authority.{level}", "is required"))
        else:
            parsed[level] = _parse_limits(raw[level], f"authority.{level}", errors)
    collector, supervisor = parsed.get(levels[0]), parsed.get(levels[1])
    if collector is not None and supervisor is not None:
        errors.extend(_narrower_than_collector(collector, supervisor))
    if errors or collector is None or supervisor is None:
        raise AuthorityInvalid(errors)
    return Authority(collector, supervisor)


def _narrower_than_collector(collector: Limits, supervisor: Limits) -> list[FieldError]:
    # A supervisor accepts what is beyond the collector; a supervisor band narrower in any
    # dimension would send to the client offers a collector may accept alone.
    errors = []
    for name, wider in _WIDER.items():
        own, collectors = getattr(supervisor, name), getattr(collector, name)
        if (own - collectors) * wider < 0:
            side = "at least" if wider > 0 else "at most"
            reason = f"must be {side} the collector's ({collectors})"
            errors.append(FieldError(f"authority.supervisor.{name}", reason))
    return errors
