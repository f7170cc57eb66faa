"""The append-only event log every module writes to, in the same transaction as the
change it records: a change that rolls back leaves no audit line, and no change is
committed without one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import structlog

from server.audit import repository
from server.auth.principal import Principal
from server.kit import db


async def record(
    actor: Principal,
    action: str,
    entity: str,
    entity_id: UUID | str | None,
    *,
    client_id: UUID | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await repository.insert_event(
        actor_id=actor.id,
        actor_kind=actor.kind,
        role=str(actor.role),
        client_id=client_id,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        action=action,
        before=before,
        after=after,
        request_id=request_id,
    )


async def record_many(
    conn: db.Connection | None,
    actor: Principal,
    action: str,
    entity: str,
    events: list[tuple[UUID | str, UUID | None, Any, Any]],
) -> None:
    """`record` for many entities at once, in one statement: (entity id, client id,
    before, after) each; on `conn` when the change is written on a connection of its own
    (a set-based load), else in the current transaction."""
    if not events:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    await repository.insert_events(
        conn, actor_id=actor.id, actor_kind=actor.kind, role=str(actor.role), entity=entity,
        action=action, events=[(str(e[0]), e[1], e[2], e[3]) for e in events],
        request_id=request_id,
    )  # fmt: skip


async def history(entity: str, entity_id: UUID | str) -> list[dict[str, Any]]:
    return await repository.list_events(entity, str(entity_id))
