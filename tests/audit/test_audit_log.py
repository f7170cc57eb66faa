"""The audit log: written with the change it records, and impossible to rewrite."""

from __future__ import annotations

import asyncpg
import pytest

from server.kit.settings import get_settings
from tests.fixtures import Caller, MakeClient


async def test_a_change_and_its_audit_line_commit_together(
    admin: Caller, make_client: MakeClient, owner_db: asyncpg.Connection
) -> None:
    client = await make_client()
    rows = await owner_db.fetch(
        "SELECT actor_id, role, action, client_id, request_id FROM audit_event"
        " WHERE entity = 'client'"
    )
    assert len(rows) == 1
    assert str(rows[0]["actor_id"]) == admin.user_id
    assert rows[0]["action"] == "client.create"
    assert str(rows[0]["client_id"]) == client["client_id"]
    assert rows[0]["request_id"]


async def test_a_rejected_change_leaves_no_audit_line(
    admin: Caller, owner_db: asyncpg.Connection
) -> None:
    before = await owner_db.fetchval("SELECT count(*) FROM audit_event")
    response = await admin.post("/api/v1/clients", json={"name": "broken"})
    assert response.status_code in (400, 422)
    assert await owner_db.fetchval("SELECT count(*) FROM audit_event") == before


@pytest.fixture
async def app_role_connection(admin: Caller) -> asyncpg.Connection:
    """The application's own role, as the API and worker connect."""
    conn = await asyncpg.connect(get_settings().connection_url())
    yield conn
    await conn.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
async def test_the_application_role_cannot_rewrite_the_log(
    app_role_connection: asyncpg.Connection, statement: str
) -> None:
    assert await app_role_connection.fetchval("SELECT current_user") == get_settings().app_db_user
    assert await app_role_connection.fetchval("SELECT count(*) FROM audit_event") >= 1
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_role_connection.execute(statement)


async def test_the_application_role_may_append_and_read(
    app_role_connection: asyncpg.Connection,
) -> None:
    await app_role_connection.execute(
        "INSERT INTO audit_event (id, occurred_at, actor_kind, entity, action)"
        " VALUES (gen_random_uuid(), now(), 'system', 'test', 'test.append')"
    )
    assert (
        await app_role_connection.fetchval(
            "SELECT count(*) FROM audit_event WHERE action = 'test.append'"
        )
        == 1
    )


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"]
)
async def test_the_trigger_refuses_even_the_owner(
    admin: Caller, owner_db: asyncpg.Connection, statement: str
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await owner_db.execute(statement)
