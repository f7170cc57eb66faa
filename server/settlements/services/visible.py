"""What the caller may see of a settlements row."""

from __future__ import annotations

import asyncpg

from server.auth.principal import Principal
from server.kit.errors import NotFound


def visible_row(actor: Principal, row: asyncpg.Record | None, what: str) -> asyncpg.Record:
    """The row if the caller may see its client; someone else's is as good as missing."""
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound(f"no such {what}")
    return row
