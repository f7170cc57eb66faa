"""Keyset pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`.

Every list is in a total order, newest first: its sort key ends in the row's id, so rows
that share a timestamp (one transaction's inserts share a clock reading) still come in one order
on every call, and the key of a row is never another row's. A cursor is the sort key of
the last item seen, encoded opaquely; each list decodes it with the types of its own key
(most lists: `created_at`, then `id`). Keyset rather than offset, so a page deep in a
large list costs what the first page costs and rows inserted meanwhile neither repeat
nor vanish.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

from server.kit import clock
from server.kit.errors import BadRequest, FieldError, InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")
# What one part of a sort key may be.
KeyPart = datetime | date | UUID | int
Key = tuple[KeyPart, ...]


def invalid_cursor() -> BadRequest:
    """A cursor the server could not have issued: 400, whatever list it was sent to."""
    return BadRequest(
        "cursor: is not a cursor this API issued",
        code="invalid_cursor",
        details=[FieldError("cursor", "is not a cursor this API issued")],
    )


# Sort keys are stored times: none before the clock's EARLIEST, none far in the future. A
# time outside would reach PostgreSQL out of its range, or overflow on the way.
_LATEST_AHEAD = timedelta(days=2)


_INTEGER_MAX = 2**31 - 1


def _decode_part(text: str, kind: type) -> KeyPart:
    if kind is datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        if not clock.EARLIEST <= moment <= clock.now() + _LATEST_AHEAD:
            raise ValueError("a time no stored row has")
        return moment
    if kind is date:
        if len(text) != len("YYYY-MM-DD"):
            raise ValueError("not a date")
        day = date.fromisoformat(text)
        if not clock.EARLIEST.date() <= day <= (clock.now() + _LATEST_AHEAD).date():
            raise ValueError("a date no stored row has")
        return day
    if kind is UUID:
        return UUID(text)
    if kind is int:
        # An integer column's value (a queue's rank): PostgreSQL's integer, never beyond.
        number = int(text)
        if not 0 <= number <= _INTEGER_MAX:
            raise ValueError("an integer no stored row has")
        return number
    raise TypeError(f"no sort key part of type {kind!r}")


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    # The cursor's parts as sent, decoded by the list that knows its key's types.
    cursor: tuple[str, ...] | None = None

    @property
    def fetch_limit(self) -> int:
        """One more than asked, to know whether another page follows."""
        return self.limit + 1

    def key(self, *kinds: type) -> Key | None:
        """The cursor as a sort key of these types (None: the first page). A cursor of
        another shape — another list's, or not one of ours — is refused as the field."""
        if self.cursor is None:
            return None
        if len(self.cursor) != len(kinds):
            raise invalid_cursor()
        try:
            return tuple(
                _decode_part(text, kind) for text, kind in zip(self.cursor, kinds, strict=True)
            )
        except (ValueError, TypeError):
            raise invalid_cursor() from None

    @property
    def after(self) -> tuple[datetime, UUID] | None:
        """The cursor of a list sorted by (created_at, id), the common key."""
        found = self.key(datetime, UUID)
        if found is None:
            return None
        moment, row_id = found
        assert isinstance(moment, datetime)
        assert isinstance(row_id, UUID)
        return moment, row_id


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


def visible_param(visible: frozenset[UUID] | None) -> list[UUID] | None:
    """A list query's bound value for the clients the caller may see (None: all)."""
    return None if visible is None else list(visible)


def cursor_params(after: Sequence[Any] | None, width: int = 2) -> tuple[Any, ...]:
    """A list query's bound values for the keyset cursor (all None: the first page)."""
    return tuple(after) if after else (None,) * width


def page_request(limit: int | None, cursor: str | None) -> PageRequest:
    if limit is None:
        limit = DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return PageRequest(limit=limit, cursor=decode_cursor(cursor) if cursor else None)


def encode_cursor(*key: KeyPart) -> str:
    raw = json.dumps([part.isoformat() if isinstance(part, date) else str(part) for part in key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, ...]:
    """The parts of a cursor we issued, still as text: their types are the list's."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error, json.JSONDecodeError):
        raise invalid_cursor() from None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
        # UUID(123) raises AttributeError, not ValueError: refuse anything but text.
        raise invalid_cursor()
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Keyset:
    """A list's sort key in SQL, newest first (or soonest first, `ascending`, for work
    that falls due): its columns, each with the type its bound cursor value is cast to
    (PostgreSQL cannot infer the type of a NULL parameter)."""

    columns: tuple[tuple[str, str], ...]
    ascending: bool = False

    def after(self, first: int) -> str:
        """The condition "after the cursor", its values bound from `$first` on; true on the
        first page, when they are all NULL (see `cursor_params`)."""
        names = ", ".join(column for column, _ in self.columns)
        values = ", ".join(f"${first + i}::{kind}" for i, (_, kind) in enumerate(self.columns))
        beyond = ">" if self.ascending else "<"
        return f"(${first}::{self.columns[0][1]} IS NULL OR ({names}) {beyond} ({values}))"

    @property
    def order_by(self) -> str:
        direction = "ASC" if self.ascending else "DESC"
        return "ORDER BY " + ", ".join(f"{column} {direction}" for column, _ in self.columns)

    @property
    def width(self) -> int:
        return len(self.columns)


def created_keyset(alias: str = "") -> Keyset:
    """The common key: (created_at, id) of the table aliased `alias`."""
    prefix = f"{alias}." if alias else ""
    return Keyset(((f"{prefix}created_at", "timestamptz"), (f"{prefix}id", "uuid")))


def make_page(rows: Sequence[T], request: PageRequest, key: Callable[[T], Key]) -> Page[T]:
    """`rows` were fetched with `request.fetch_limit`, in the list's order."""
    items = list(rows[: request.limit])
    more = len(rows) > request.limit
    return Page(items=items, next_cursor=encode_cursor(*key(items[-1])) if more else None)
