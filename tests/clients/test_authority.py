"""A client's settlement authority (DESIGN.md "Authority"): parsing, every fault reported."""

from __future__ import annotations

from typing import Any

import pytest

from server.clients.authority import Authority, AuthorityInvalid, Limits, parse_authority

DESIGN_AUTHORITY: dict[str, Any] = {
    "collector": {
        "min_percent": 80,
        "max_installments": 6,
        "max_months": 6,
        "min_installment_cents": 2500,
    },
    "supervisor": {
        "min_percent": 65,
        "max_installments": 12,
        "max_months": 12,
        "min_installment_cents": 2500,
    },
}


# --- parse_authority -----------------------------------------------------------------------


def test_parse_design_authority() -> None:
    assert parse_authority(DESIGN_AUTHORITY) == Authority(
        collector=Limits(
            min_percent=80, max_installments=6, max_months=6, min_installment_cents=2500
        ),
        supervisor=Limits(
            min_percent=65, max_installments=12, max_months=12, min_installment_cents=2500
        ),
    )


def with_limit(level: str, name: str, value: object) -> dict[str, Any]:
    raw = {lvl: dict(limits) for lvl, limits in DESIGN_AUTHORITY.items()}
    raw[level][name] = value
    return raw


def errors_of(raw: object) -> list[tuple[str, str]]:
    with pytest.raises(AuthorityInvalid) as caught:
        parse_authority(raw)
    return [(error.field, error.reason) for error in caught.value.errors]


@pytest.mark.parametrize("value", [0, 101, -5, "80", 80.0, True, None])
def test_min_percent_is_an_integer_between_1_and_100(value: object) -> None:
    assert errors_of(with_limit("collector", "min_percent", value)) == [
        ("authority.collector.min_percent", "must be an integer between 1 and 100")
    ]


@pytest.mark.parametrize("value", [1, 100])
def test_min_percent_bounds_are_accepted(value: int) -> None:
    raw = with_limit("supervisor", "min_percent", 1)
    raw["collector"]["min_percent"] = value
    assert parse_authority(raw).collector.min_percent == value


@pytest.mark.parametrize("name", ["max_installments", "max_months", "min_installment_cents"])
@pytest.mark.parametrize("value", [0, -1, "6", 6.5, False])
def test_counts_and_amounts_are_positive_integers(name: str, value: object) -> None:
    assert errors_of(with_limit("collector", name, value)) == [
        (f"authority.collector.{name}", "must be a positive integer")
    ]


def test_every_fault_is_reported_with_its_field() -> None:
    raw = {
        "collector": {"min_percent": 80, "max_installments": 6, "max_months": 6, "extra": 1},
        "supervisor": [65],
        "manager": {},
    }
    assert errors_of(raw) == [
        ("authority.manager", "is not a known level"),
        ("authority.collector.extra", "is not a known limit"),
        ("authority.collector.min_installment_cents", "is required"),
        ("authority.supervisor", "must be an object"),
    ]


def test_both_levels_are_required() -> None:
    assert errors_of({}) == [
        ("authority.collector", "is required"),
        ("authority.supervisor", "is required"),
    ]
    assert errors_of([]) == [("authority", "must be an object")]


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("min_percent", 81, "must be at most the collector's (80)"),
        ("max_installments", 5, "must be at least the collector's (6)"),
        ("max_months", 5, "must be at least the collector's (6)"),
        ("min_installment_cents", 2501, "must be at most the collector's (2500)"),
    ],
)
def test_supervisor_must_be_at_least_as_wide_as_collector(
    name: str, value: int, reason: str
) -> None:
    assert errors_of(with_limit("supervisor", name, value)) == [
        (f"authority.supervisor.{name}", reason)
    ]


def test_supervisor_equal_to_collector_is_accepted() -> None:
    raw = {"collector": DESIGN_AUTHORITY["collector"], "supervisor": DESIGN_AUTHORITY["collector"]}
    authority = parse_authority(raw)
    assert authority.supervisor == authority.collector
