"""Query parameters shared by every list route: `?limit=&cursor=`."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from server.kit.pagination import MAX_LIMIT

Limit = Annotated[
    int | None,
    QueryParameter(name="limit", ge=1, le=MAX_LIMIT, description="page size, default 50"),
]
Cursor = Annotated[
    str | None,
    QueryParameter(name="cursor", max_length=200, description="next_cursor of the page before"),
]
