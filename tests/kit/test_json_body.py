"""Every JSON body is read through one check: invalid UTF-8 and bodies nested deeper than
64 levels are a 400 that says why, on any route, the unauthenticated sign-in included —
never a 500."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import httpx
import msgspec
import pytest

from server.kit.json_body import MAX_JSON_DEPTH, field_errors, json_depth
from tests.fixtures import Caller


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ("x", 0), ([], 1), ({}, 1), ({"a": [1, {"b": []}]}, 4), ([[[]], []], 3)],
)
def test_depth_counts_nesting(value: object, depth: int) -> None:
    assert json_depth(value) == depth


def test_the_walk_stops_past_the_limit() -> None:
    assert json_depth(json.loads(_nested(500)), limit=10) == 11


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
async def test_a_body_nested_too_deep_is_refused_at_sign_in(
    http: httpx.AsyncClient, levels: int
) -> None:
    response = await http.post(
        "/api/v1/auth/login",
        content=_nested(levels),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "body_too_deep"


async def test_sixty_four_levels_are_read_and_judged_as_usual(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/v1/auth/login",
        content=_nested(MAX_JSON_DEPTH),
        headers={"Content-Type": "application/json"},
    )
    # Read whole, then refused for what it is: not a sign-in object.
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_body"


async def test_a_deep_value_inside_an_object_is_refused_on_an_authenticated_route(
    admin: Caller,
) -> None:
    body = '{"name": "Deep", "column_map": ' + _nested(MAX_JSON_DEPTH) + "}"
    response = await admin.post(
        "/api/v1/clients", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "body_too_deep"


@pytest.mark.parametrize(
    "body", [b'{"username": "\xff\xfe", "password": "x"}', b'{"username": "a\xc3"}']
)
async def test_invalid_utf8_is_refused(http: httpx.AsyncClient, body: bytes) -> None:
    response = await http.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_encoding"
    assert error["details"] == [{"field": "body", "reason": "is not valid UTF-8 text"}]


# --- every wrong field named at once --------------------------------------------------------


class _Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    amount_cents: Annotated[int, msgspec.Meta(ge=1)]


class _Order(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    colour: _Colour
    count: Annotated[int, msgspec.Meta(ge=0, le=10)] = 0
    lines: list[_Line] = msgspec.field(default_factory=list)
    note: str | None = None


def test_every_wrong_field_is_named_in_the_structs_order() -> None:
    body = {"colour": "green", "count": 11, "lines": [{"amount_cents": 5}, {"amount_cents": 0}],
            "shape": "round"}  # fmt: skip
    errors = field_errors(body, _Order)
    assert [(e.field, e.reason) for e in errors] == [
        ("name", "is required"),
        ("colour", "must be one of: red, blue"),
        ("count", "Expected `int` <= 10"),
        ("lines[1].amount_cents", "Expected `int` >= 1"),
        ("shape", "is not a field of this request"),
    ]


class _Bounded(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[_Line], msgspec.Meta(max_length=3)]


def test_a_bounded_list_of_structs_names_the_wrong_field_of_each_item() -> None:
    errors = field_errors({"lines": [{"amount_cents": 1}, {"amount_cents": 0}]}, _Bounded)
    assert [e.field for e in errors] == ["lines[1].amount_cents"]
    # Too many, each right: the list itself is named.
    errors = field_errors({"lines": [{"amount_cents": 1}] * 4}, _Bounded)
    assert [e.field for e in errors] == ["lines"]


def test_a_right_body_and_a_body_that_is_not_an_object_have_no_field_errors() -> None:
    assert field_errors({"name": "x", "colour": "red"}, _Order) == []
    assert field_errors([1, 2], _Order) == []


async def test_the_api_names_every_wrong_field_of_a_request(admin: Caller) -> None:
    response = await admin.post(
        "/api/v1/clients",
        json={"fee_rates_bps": {"primary": 20_000}, "remittance_cycle": "yearly",
              "remittance_method": "net", "clearing_days": {}, "authority": {}, "colour": 1},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    details = {d["field"]: d["reason"] for d in response.json()["error"]["details"]}
    assert details["name"] == "is required"
    assert details["remittance_cycle"] == "must be one of: daily, weekly, monthly"
    assert "fee_rates_bps" in "".join(details)
    assert details["colour"] == "is not a field of this request"
