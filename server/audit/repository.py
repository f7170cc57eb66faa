from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from server.kit import db


async def insert_event(
    *,
    actor_id: UUID | None,
    actor_kind: str,
    role: str | None,
    client_id: UUID | None,
    entity: str,
    entity_id: str | None,
    action: str,
    before: Any,
    after: Any,
    request_id: str | None,
) -> None:
    await db.execute(
        """
        INSERT INTO audit_event (id, occurred_at, actor_id, actor_kind, role, client_id,
                                 entity, entity_id, action, before, after, request_id)
        VALUES (gen_random_uuid(), now(), -- clock-ok: the audit row's insert time
            $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)
        """,
        actor_id,
        actor_kind,
        role,
        client_id,
        entity,
        entity_id,
        action,
        None if before is None else json.dumps(before, default=str),
        None if after is None else json.dumps(after, default=str),
        request_id,
    )


async def list_events(entity: str, entity_id: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        """
        SELECT occurred_at, actor_id, actor_kind, role, action, before, after, request_id
        FROM audit_event WHERE entity = $1 AND entity_id = $2
        ORDER BY occurred_at, id
        """,
        entity,
        entity_id,
    )
    return [dict(row) for row in rows]


async def insert_events(
    conn: db.Connection | None,
    *,
    actor_id: UUID | None,
    actor_kind: str,
    role: str | None,
    entity: str,
    action: str,
    events: list[tuple[str, UUID | None, Any, Any]],
    request_id: str | None,
) -> None:
    """Many events of one actor, entity and action in one statement, on `conn` (a caller's
    own transaction) or the current one: (entity id, client id, before, after) each."""
    sql = """
        INSERT INTO audit_event (id, occurred_at, actor_id, actor_kind, role, client_id,
                                 entity, entity_id, action, before, after, request_id)
        SELECT gen_random_uuid(), now(), -- clock-ok: the audit row's insert time
            $1, $2, $3, e.client_id, $4, e.entity_id, $5, e.before::jsonb, e.after::jsonb, $6
        FROM unnest($7::text[], $8::uuid[], $9::text[], $10::text[])
            AS e(entity_id, client_id, before, after)
    """
    args = (
        actor_id, actor_kind, role, entity, action, request_id,
        [e[0] for e in events], [e[1] for e in events],
        [None if e[2] is None else json.dumps(e[2], default=str) for e in events],
        [None if e[3] is None else json.dumps(e[3], default=str) for e in events],
    )  # fmt: skip
    if conn is None:
        await db.execute(sql, *args)
    else:
        await conn.execute(sql, *args)
