"""Every query of users, portfolios, refresh tokens and client API tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.kit import db
from server.kit.pagination import created_keyset, cursor_params

_USER_ORDER = created_keyset("u")

_USER_COLUMNS = """
    u.id, u.username, u.password_hash, u.role, u.client_id, u.capacity, u.active, u.created_at,
    COALESCE((SELECT array_agg(p.client_id ORDER BY p.client_id) FROM collector_portfolio p
              WHERE p.user_id = u.id), '{}') AS client_ids
"""


async def user_by_username(username: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM app_user u WHERE lower(u.username) = lower($1)",  # noqa: S608
        username,
    )


async def user_by_id(user_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE OF u" if for_update else ""
    return await db.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM app_user u WHERE u.id = $1{lock}",  # noqa: S608
        user_id,
    )


async def user_for_access(user_id: UUID, family_id: UUID | None) -> asyncpg.Record:
    """The user an access token names (its columns null if there is none), and whether
    the token's refresh family was revoked (`family_revoked`; false without a family)."""
    row = await db.fetchrow(
        f"""
        SELECT {_USER_COLUMNS},
               EXISTS (SELECT FROM refresh_token r
                       WHERE r.family_id = $2 AND r.revoked_at IS NOT NULL) AS family_revoked
        FROM (SELECT) one LEFT JOIN app_user u ON u.id = $1
        """,  # noqa: S608
        user_id,
        family_id,
    )
    assert row is not None
    return row


async def collectors() -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {_USER_COLUMNS} FROM app_user u WHERE u.role = 'collector' ORDER BY u.username"  # noqa: S608
    )


async def list_users(
    role: str | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[asyncpg.Record]:
    """Every user (of `role`, if given), newest first."""
    return await db.fetch(
        f"""
        SELECT {_USER_COLUMNS} FROM app_user u
        WHERE ($1::text IS NULL OR u.role = $1) AND {_USER_ORDER.after(2)}
        {_USER_ORDER.order_by}
        LIMIT $4
        """,  # noqa: S608
        role,
        *cursor_params(after),
        limit,
    )


async def set_active(user_id: UUID, active: bool) -> None:
    await db.execute(
        """
        UPDATE app_user SET active = $2,
                            updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        user_id,
        active,
    )


async def username_taken(username: str) -> bool:
    return bool(
        await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(username) = lower($1))", username
        )
    )


async def insert_user(
    *,
    username: str,
    password_hash: str,
    role: str,
    client_id: UUID | None,
    capacity: int | None,
) -> UUID:
    user_id: UUID = await db.fetchval(
        """
        INSERT INTO app_user (id, username, password_hash, role, client_id, capacity, active,
                              created_at, updated_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, true,
            now(), now()) -- clock-ok: the row's write time
        RETURNING id
        """,
        username,
        password_hash,
        role,
        client_id,
        capacity,
    )
    return user_id


async def update_collector(user_id: UUID, *, capacity: int | None, active: bool | None) -> None:
    await db.execute(
        """
        UPDATE app_user SET capacity = COALESCE($2, capacity), active = COALESCE($3, active),
                            updated_at = now() -- clock-ok: the row's write time
        WHERE id = $1
        """,
        user_id,
        capacity,
        active,
    )


async def replace_portfolio(user_id: UUID, client_ids: list[UUID]) -> None:
    await db.execute(
        "DELETE FROM collector_portfolio WHERE user_id = $1 AND NOT (client_id = ANY($2::uuid[]))",
        user_id,
        client_ids,
    )
    await db.execute(
        """
        INSERT INTO collector_portfolio (id, user_id, client_id)
        SELECT gen_random_uuid(), $1, c FROM unnest($2::uuid[]) AS c
        ON CONFLICT (user_id, client_id) DO NOTHING
        """,
        user_id,
        client_ids,
    )


async def insert_refresh_token(
    *, family_id: UUID, user_id: UUID, token_hash: str, expires_at: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO refresh_token (id, family_id, user_id, token_hash, issued_at, expires_at)
        VALUES (gen_random_uuid(), $1, $2, $3, now(), $4) -- clock-ok: the row's write time
        """,
        family_id,
        user_id,
        token_hash,
        expires_at,
    )


async def refresh_token_for_update(token_hash: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        """
        SELECT id, family_id, user_id, expires_at, used_at, revoked_at
        FROM refresh_token WHERE token_hash = $1 FOR UPDATE
        """,
        token_hash,
    )


async def mark_refresh_token_used(token_id: UUID) -> None:
    await db.execute(
        """
        UPDATE refresh_token SET used_at = now() -- clock-ok: when the token was used
        WHERE id = $1
        """,
        token_id,
    )


async def revoke_refresh_family(family_id: UUID) -> None:
    await db.execute(
        """
        UPDATE refresh_token SET revoked_at = now() -- clock-ok: when the family was revoked
        WHERE family_id = $1 AND revoked_at IS NULL
        """,
        family_id,
    )


async def delete_expired_refresh_tokens(before: datetime) -> int:
    status = await db.execute("DELETE FROM refresh_token WHERE expires_at < $1", before)
    return int(status.split()[-1])


_TOKEN_COLUMNS = "id, client_id, name, prefix, created_at, revoked_at, last_used_at"


async def insert_api_token(
    *, client_id: UUID, name: str, token_hash: str, prefix: str, created_by: UUID
) -> asyncpg.Record:
    row = await db.fetchrow(
        f"""
        INSERT INTO api_token (id, client_id, name, token_hash, prefix, created_by, created_at)
        VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) -- clock-ok: the row's write time
        RETURNING {_TOKEN_COLUMNS}
        """,  # noqa: S608
        client_id,
        name,
        token_hash,
        prefix,
        created_by,
    )
    assert row is not None
    return row


async def api_tokens_of_client(client_id: UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {_TOKEN_COLUMNS} FROM api_token WHERE client_id = $1"  # noqa: S608
        " ORDER BY created_at DESC, id DESC",
        client_id,
    )


async def live_api_token_of_secret(client_id: UUID, token_hash: str) -> asyncpg.Record | None:
    """The client's unrevoked token with this secret, read without marking it used."""
    return await _token_of_client(client_id, "token_hash = $2 AND revoked_at IS NULL", token_hash)


async def api_token(client_id: UUID, token_id: UUID) -> asyncpg.Record | None:
    return await _token_of_client(client_id, "id = $2", token_id)


async def _token_of_client(client_id: UUID, condition: str, value: object) -> asyncpg.Record | None:
    sql = f"SELECT {_TOKEN_COLUMNS} FROM api_token WHERE client_id = $1 AND {condition}"  # noqa: S608
    return await db.fetchrow(sql, client_id, value)


async def revoke_api_token(token_id: UUID) -> None:
    await db.execute(
        """
        UPDATE api_token SET revoked_at = now() -- clock-ok: when the token was revoked
        WHERE id = $1 AND revoked_at IS NULL
        """,
        token_id,
    )


async def active_api_token_by_hash(token_hash: str, now: datetime) -> asyncpg.Record | None:
    """Marks the token used at most once a minute, so that an integration calling
    steadily does not write on every request."""
    return await db.fetchrow(
        """
        WITH found AS (
            SELECT id, client_id, name, prefix FROM api_token
            WHERE token_hash = $1 AND revoked_at IS NULL
        ), touched AS (
            UPDATE api_token t SET last_used_at = $2
            FROM found WHERE t.id = found.id
              AND (t.last_used_at IS NULL
                   OR t.last_used_at < $2::timestamptz - interval '1 minute')
        )
        SELECT id, client_id, name, prefix FROM found
        """,
        token_hash,
        now,
    )


# --- portal sessions ------------------------------------------------------------------------


async def insert_portal_session(user_id: UUID, token_hash: str, csrf_token: str) -> None:
    await db.execute(
        """
        INSERT INTO portal_session (id, user_id, token_hash, csrf_token, created_at,
                                    last_seen_at)
        VALUES (gen_random_uuid(), $1, $2, $3, now(), now()) -- clock-ok: the session's start
        """,
        user_id,
        token_hash,
        csrf_token,
    )


async def live_portal_session(
    token_hash: str, idle_s: int, lifetime_s: int, now: datetime
) -> asyncpg.Record | None:
    """The session if it has been used within `idle_s` and is younger than `lifetime_s`,
    marked seen now; at most every few seconds, so a page's burst of requests writes once."""
    return await db.fetchrow(
        """
        WITH found AS (
            SELECT id, user_id, csrf_token FROM portal_session
            WHERE token_hash = $1
              AND last_seen_at > $4::timestamptz - make_interval(secs => $2)
              AND created_at > $4::timestamptz - make_interval(secs => $3)
        ), touched AS (
            UPDATE portal_session s SET last_seen_at = $4
            FROM found WHERE s.id = found.id
              AND s.last_seen_at < $4::timestamptz - interval '5 seconds'
        )
        SELECT id, user_id, csrf_token FROM found
        """,
        token_hash,
        idle_s,
        lifetime_s,
        now,
    )


async def delete_portal_session(token_hash: str) -> None:
    await db.execute("DELETE FROM portal_session WHERE token_hash = $1", token_hash)


async def delete_idle_portal_sessions(idle_s: int, lifetime_s: int, now: datetime) -> int:
    status = await db.execute(
        """
        DELETE FROM portal_session
        WHERE last_seen_at < $3::timestamptz - make_interval(secs => $1)
           OR created_at < $3::timestamptz - make_interval(secs => $2)
        """,
        idle_s,
        lifetime_s,
        now,
    )
    return int(status.split()[-1])
