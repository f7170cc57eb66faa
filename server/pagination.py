"""Keyset pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`.

A cursor is the sort key of the last item seen (newest first: `created_at`, then `id` to
break ties), encoded opaquely. Keyset rather than offset, so a page deep in a large list
costs what the first page costs and rows inserted meanwhile neither repeat nor vanish.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from server.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: tuple[datetime, UUID] | None

    @property
    def fetch_limit(self) -> int:
        """One more than asked, to know whether another page follows."""
        return self.limit + 1


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


def visible_param(visible: frozenset[UUID] | None) -> list[UUID] | None:
    """A list query's bound value for the clients the caller may see (None: all)."""
    return None if visible is None else list(visible)


def cursor_params(after: tuple[datetime, UUID] | None) -> tuple[datetime | None, UUID | None]:
    """A list query's bound values for the keyset cursor ((None, None): the first page)."""
    return (after[0], after[1]) if after else (None, None)


def page_request(limit: int | None, cursor: str | None) -> PageRequest:
    if limit is None:
        limit = DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(created_at, str) or not isinstance(row_id, str):
            # UUID(123) raises AttributeError, not ValueError: refuse anything but text.
            raise TypeError("cursor parts must be strings")
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment, UUID(row_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidInput.field("cursor", "is not a cursor this API issued") from None


def make_page(
    rows: Sequence[T],
    request: PageRequest,
    key: Callable[[T], tuple[datetime, UUID]],
) -> Page[T]:
    """`rows` were fetched with `request.fetch_limit`, newest first."""
    items = list(rows[: request.limit])
    more = len(rows) > request.limit
    return Page(items=items, next_cursor=encode_cursor(*key(items[-1])) if more else None)
