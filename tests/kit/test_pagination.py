"""Keyset pagination: limits, opaque cursors, and when a next page is announced."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from server.kit.errors import BadRequest, DomainError, InvalidInput
from server.kit.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PageRequest,
    decode_cursor,
    encode_cursor,
    make_page,
    page_request,
)

Row = tuple[datetime, UUID]


def _rows(count: int) -> list[Row]:
    """Newest first, as the repositories return them."""
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    return [(start - timedelta(minutes=i), uuid.uuid4()) for i in range(count)]


def _key(row: Row) -> Row:
    return row


def _assert_names(error: pytest.ExceptionInfo[DomainError], field: str) -> None:
    assert error.value.status_code == 422
    assert [d.field for d in error.value.details] == [field]


def _assert_invalid_cursor(error: pytest.ExceptionInfo[DomainError]) -> None:
    """A cursor the server could not have issued is a 400 `invalid_cursor`."""
    assert (error.value.status_code, error.value.code) == (400, "invalid_cursor")
    assert [d.field for d in error.value.details] == ["cursor"]


def test_default_and_maximum_limits() -> None:
    assert (DEFAULT_LIMIT, MAX_LIMIT) == (50, 500)
    default = page_request(None, None)
    assert default == PageRequest(limit=50, cursor=None)
    assert default.after is None
    assert default.fetch_limit == 51
    assert page_request(1, None).limit == 1
    assert page_request(500, None).limit == 500
    assert page_request(500, None).fetch_limit == 501


@pytest.mark.parametrize("limit", [0, -1, 501, 10_000])
def test_limit_out_of_range_names_limit(limit: int) -> None:
    with pytest.raises(InvalidInput) as error:
        page_request(limit, None)
    _assert_names(error, "limit")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 14, 3, 27, 123456, tzinfo=UTC),
        datetime(2026, 3, 8, 1, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_cursor_round_trips(moment: datetime) -> None:
    row_id = uuid.uuid4()
    cursor = encode_cursor(moment, row_id)
    assert "=" not in cursor  # safe in a query string as is
    decoded = page_request(10, cursor).after
    assert decoded == (moment, row_id)
    assert decoded[0].utcoffset() == moment.utcoffset()


def test_a_cursor_of_any_sort_key_round_trips_with_its_own_types() -> None:
    key = (datetime(2026, 11, 2, 5, 0, tzinfo=UTC), datetime(2026, 11, 25, 14, 3, tzinfo=UTC),
           date(2026, 11, 30), uuid.uuid4())  # fmt: skip
    request = page_request(10, encode_cursor(*key))
    assert request.key(datetime, datetime, date, UUID) == key
    # Another list's cursor (another shape of key) is refused as the field, not a 500.
    for kinds in ((datetime, UUID), (datetime, datetime, UUID, UUID), (UUID, datetime, date, UUID)):
        with pytest.raises(BadRequest) as error:
            request.key(*kinds)
        _assert_invalid_cursor(error)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!not-base64!!!",
        "a",
        _b64(b"not json"),
        _b64(json.dumps({"created_at": "2026-01-01T00:00:00+00:00"}).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00"]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", "not-a-uuid"]).encode()),
        _b64(json.dumps(["yesterday", str(uuid.uuid4())]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00", str(uuid.uuid4())]).encode()),  # naive
        _b64(json.dumps([20260101, str(uuid.uuid4())]).encode()),
        _b64(json.dumps(None).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", 123]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", ["x"]]).encode()),
        _b64(json.dumps(["2026-01-01T00:00:00+00:00", str(uuid.uuid4()), 3]).encode()),
        # Times no stored row has, at the edges of what datetime and PostgreSQL can hold.
        _b64(json.dumps(["9999-12-31T23:59:59-14:00", str(uuid.uuid4())]).encode()),
        _b64(json.dumps(["0001-01-01T00:00:00+14:00", str(uuid.uuid4())]).encode()),
        _b64(json.dumps(["1969-12-31T23:59:59+00:00", str(uuid.uuid4())]).encode()),
    ],
)
def test_garbage_cursor_is_an_invalid_cursor(cursor: str) -> None:
    with pytest.raises(BadRequest) as error:
        _ = page_request(None, cursor).after
    _assert_invalid_cursor(error)


def test_no_next_cursor_when_the_rows_fit() -> None:
    request = page_request(3, None)
    for count in (0, 2, 3):
        rows = _rows(count)
        page = make_page(rows, request, _key)
        assert page.items == rows
        assert page.next_cursor is None


def test_next_cursor_points_at_the_last_item_when_more_rows_exist() -> None:
    request = page_request(3, None)
    rows = _rows(request.fetch_limit)
    page = make_page(rows, request, _key)
    assert page.items == rows[:3]
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor) == (rows[2][0].isoformat(), str(rows[2][1]))
    following = page_request(3, page.next_cursor)
    assert following.after == rows[2]


def test_paging_through_a_list_visits_every_row_once() -> None:
    everything = _rows(7)
    seen: list[Row] = []
    cursor: str | None = None
    for _ in range(10):
        request = page_request(3, cursor)
        after = request.after
        remaining = [r for r in everything if after is None or r < after]
        page = make_page(remaining[: request.fetch_limit], request, _key)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything


def test_an_integer_cursor_part_is_one_postgresql_integer_could_hold() -> None:
    most = 2**31 - 1
    key = (most, uuid.uuid4())
    assert page_request(10, encode_cursor(*key)).key(int, UUID) == key
    for beyond in (most + 1, -1):
        with pytest.raises(BadRequest) as error:
            page_request(10, encode_cursor(beyond, uuid.uuid4())).key(int, UUID)
        _assert_invalid_cursor(error)
