"""The contract's error body for every way a request can go wrong before a service runs:
`{"error": {"code", "message", "details": [{"field", "reason"}]}}` with the contract's
status (400 malformed, 401, 404, 405, 413, 422)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.exceptions import ValidationException

from server.app import _validation_error

LOGIN = "/api/v1/auth/login"
JSON = {"Content-Type": "application/json"}
ONE_MIB = 1024 * 1024


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error object, after checking the status, the media type and the exact shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)
    for detail in error["details"]:
        assert set(detail) == {"field", "reason"}
    assert response.headers.get("x-request-id")
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "body",
    [b'{"username": "a", "password": ', b"not json at all", b"\xff\xfe\x00", b""],
    ids=["truncated", "text", "binary", "empty"],
)
async def test_malformed_json_is_400(http: httpx.AsyncClient, body: bytes) -> None:
    error = _error(await http.post(LOGIN, content=body, headers=JSON), 400, "malformed_body")
    assert error["details"] == []


@pytest.mark.parametrize(
    "body", [b'[{"username": "a", "password": "b"}]', b'"a string"', b"42", b"null"]
)
async def test_a_body_that_is_not_an_object_is_400(http: httpx.AsyncClient, body: bytes) -> None:
    _error(await http.post(LOGIN, content=body, headers=JSON), 400, "malformed_body")


async def test_missing_field_is_422_naming_it(http: httpx.AsyncClient) -> None:
    response = await http.post(LOGIN, json={"password": "correct horse battery staple"})
    error = _error(response, 422, "invalid_input")
    assert [d["field"] for d in error["details"]] == ["username"]
    assert "username" in error["message"]


async def test_wrong_type_is_422_naming_the_field(http: httpx.AsyncClient) -> None:
    response = await http.post(LOGIN, json={"username": 12345, "password": "x" * 12})
    error = _error(response, 422, "invalid_input")
    [detail] = error["details"]
    assert detail["field"] == "username"
    assert "str" in detail["reason"]
    assert "$." not in detail["reason"]  # the path is in `field`, not repeated in the reason


async def test_constraint_and_unknown_field_are_422(http: httpx.AsyncClient) -> None:
    empty = await http.post(LOGIN, json={"username": "", "password": "x"})
    assert [d["field"] for d in _error(empty, 422, "invalid_input")["details"]] == ["username"]
    unknown = await http.post(LOGIN, json={"username": "a", "password": "b", "admin": True})
    assert [d["field"] for d in _error(unknown, 422, "invalid_input")["details"]] == ["admin"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/nowhere", "/api/v2/auth/login"])
async def test_unknown_route_is_404(http: httpx.AsyncClient, path: str) -> None:
    _error(await http.get(path), 404, "not_found")


async def test_wrong_method_is_405(http: httpx.AsyncClient) -> None:
    response = await http.get(LOGIN)
    _error(response, 405, "method_not_allowed")
    assert "POST" in response.headers.get("allow", "")
    _error(await http.delete("/health"), 405, "method_not_allowed")


async def test_body_over_one_mib_is_413(http: httpx.AsyncClient) -> None:
    padding = b" " * ONE_MIB
    body = b'{"username": "a", "password": "b"}' + padding
    _error(await http.post(LOGIN, content=body, headers=JSON), 413, "payload_too_large")


async def test_streamed_body_over_one_mib_is_413(http: httpx.AsyncClient) -> None:
    """No Content-Length to refuse up front: the limit holds while the body is read."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"username": "a", "password": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    response = await http.post(LOGIN, content=chunks(), headers=JSON)
    _error(response, 413, "payload_too_large")


async def test_body_just_under_the_limit_is_read(http: httpx.AsyncClient) -> None:
    body = b'{"username": 1}'
    body += b" " * (ONE_MIB - len(body))
    response = await http.post(LOGIN, content=body, headers=JSON)
    _error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer not-a-token", "Bearer a.b.c"],
)
async def test_unauthenticated_me_is_401(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    _error(await http.get("/api/v1/me", headers=headers), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("GET", LOGIN, 405),
        ("GET", "/api/v1/me", 401),
        ("POST", LOGIN, 400),
    ],
)
async def test_error_responses_echo_the_request_id(
    http: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    """Also the errors raised before a route runs (routing, authentication), so a support
    ticket quoting the id finds the request's log line."""
    response = await http.request(
        method, path, headers={"X-Request-ID": "support-ticket-42", **JSON}, content=b"{"
    )
    assert response.status_code == status
    assert response.headers["x-request-id"] == "support-ticket-42"


def _validation(detail: str, *extra: dict[str, Any]) -> dict[str, Any]:
    """`_validation_error` on what Litestar 2 raises: `key` is the path inside the body
    (or "data" for the body itself), the message carries no path."""
    exc = ValidationException(detail=detail, extra=list(extra))
    response = _validation_error(None, exc)  # type: ignore[arg-type]
    return {"status": response.status_code, **response.content}


def _body_error(message: str, key: str = "data") -> dict[str, Any]:
    return {"message": message, "key": key, "source": "body"}


def test_validation_error_names_nested_paths() -> None:
    result = _validation(
        "Validation failed for POST /api/v1/accounts/x/offers",
        _body_error("Expected `int`, got `str`", "installments[1].amount_cents"),
        _body_error("Object missing required field `due_date`", "installments[0]"),
        _body_error("Object missing required field `kind`"),
        _body_error("Object contains unknown field `amount`"),
        _body_error("Expected `object | null`, got `array`", "authority"),
    )
    assert result["status"] == 422
    assert result["error"]["code"] == "invalid_input"
    assert [(d["field"], d["reason"]) for d in result["error"]["details"]] == [
        ("installments[1].amount_cents", "Expected `int`, got `str`"),
        ("installments[0].due_date", "Object missing required field `due_date`"),
        ("kind", "Object missing required field `kind`"),
        ("amount", "Object contains unknown field `amount`"),
        ("authority", "Expected `object | null`, got `array`"),
    ]
    assert result["error"]["message"].startswith("installments[1].amount_cents: Expected")


def test_validation_error_reads_a_path_in_the_message_too() -> None:
    result = _validation(
        "Validation failed",
        _body_error("Object missing required field `due_date` - at `$.installments[0]`"),
    )
    assert result["error"]["details"] == [
        {"field": "installments[0].due_date", "reason": "Object missing required field `due_date`"}
    ]


def test_validation_error_names_query_parameters_and_falls_back_to_body() -> None:
    query = _validation(
        "Validation failed for GET /api/v1/accounts",
        {"message": "Expected `int`, got `str`", "key": "limit", "source": "query"},
    )
    assert query["status"] == 422
    assert query["error"]["details"] == [{"field": "limit", "reason": "Expected `int`, got `str`"}]
    bare = _validation("Validation failed for POST /api/v1/x")
    assert bare["status"] == 422
    assert bare["error"]["details"] == [
        {"field": "body", "reason": "Validation failed for POST /api/v1/x"}
    ]


@pytest.mark.parametrize(
    "extra",
    [
        _body_error("Expected `object`, got `array`"),
        _body_error("Expected `object`, got `null`"),
        _body_error("'data'"),  # no body at all
    ],
)
def test_validation_error_tells_a_malformed_body(extra: dict[str, Any]) -> None:
    result = _validation("Validation failed for POST /api/v1/auth/login", extra)
    assert result["status"] == 400
    assert result["error"]["code"] == "malformed_body"
    # An object expected deeper in the body is an invalid field, not a malformed body.
    nested = _validation("Validation failed", {**extra, "key": "installments[0]"})
    assert nested["status"] == 422
    assert nested["error"]["details"][0]["field"] == "installments[0]"
