"""The daily reminders of a verification request: 5 business days before it is due, on
the due date, and every day it is overdue; one a day per request however often the job
runs; handed to the client notifier (the e-mail outbox), and recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.disputes import reminders
from server.kit import client_notices, clock
from server.wiring import wire
from tests.disputes.answering import request_of
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser

# Due Monday 2026-12-14: the due-soon reminder from Monday 2026-12-07 (5 business days).
DUE = date(2026, 12, 14)


def noon(day: date) -> datetime:
    """Noon in New York (the agency's zone) on `day`."""
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


@pytest.fixture
async def told() -> AsyncIterator[list[tuple[UUID, str, int, str]]]:
    calls: list[tuple[UUID, str, int, str]] = []

    async def notifier(client_id: UUID, kind: str, count: int, link: str) -> None:
        calls.append((client_id, kind, count, link))

    client_notices.use_client_notifier(notifier)
    yield calls
    wire()


async def open_requests(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection, count: int,
) -> tuple[str, list[str]]:  # fmt: skip
    client = await make_client()
    user = await make_user("client", client_id=client["client_id"])
    ids = []
    for _ in range(count):
        account = await make_account(client["client_id"])
        made = await admin.post(
            f"/api/v1/accounts/{account['id']}/disputes",
            json={"channel": "written", "words": "Not mine"},
        )
        assert made.status_code == 201, made.text
        ids.append((await request_of(user, made.json()["dispute_id"]))["request_id"])
    # Asked on Friday 2026-11-20, due Monday 2026-12-14, whatever today is.
    await owner_db.execute(
        "UPDATE verification_request SET due_on = $1 WHERE id = ANY($2::uuid[])",
        DUE, [UUID(i) for i in ids],
    )  # fmt: skip
    await owner_db.execute(
        "UPDATE verification_reminder SET on_date = $1 WHERE request_id = ANY($2::uuid[])",
        date(2026, 11, 20), [UUID(i) for i in ids],
    )  # fmt: skip
    return str(client["client_id"]), ids


async def run_on(day: date) -> int:
    with clock.running_from(noon(day)):
        return await reminders.send_reminders()


async def test_reminders_go_before_due_on_the_due_date_and_daily_when_overdue(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection, told: list[tuple[UUID, str, int, str]],
) -> None:  # fmt: skip
    client_id, ids = await open_requests(
        admin, make_user, make_client, make_account, owner_db, count=2
    )
    told.clear()
    expected: list[tuple[date, int, str | None]] = [
        (date(2026, 12, 4), 0, None),  # 6 business days before: nothing yet
        (date(2026, 12, 7), 2, "verification_due_soon"),  # 5 business days before
        (date(2026, 12, 7), 0, None),  # the same day again: nothing twice
        (date(2026, 12, 8), 0, None),
        (date(2026, 12, 11), 0, None),
        (date(2026, 12, 14), 2, "verification_due_soon"),  # the due date
        (date(2026, 12, 15), 2, "verification_overdue"),
        (date(2026, 12, 15), 0, None),
        (date(2026, 12, 16), 2, "verification_overdue"),
    ]
    for day, count, kind in expected:
        before = len(told)
        assert await run_on(day) == count, day
        if kind is None:
            assert len(told) == before, day
        else:
            # One call per client and kind, with how many and the list to open.
            assert told[before:] == [(UUID(client_id), kind, 2, "/portal/verification")], day
    rows = await owner_db.fetch(
        "SELECT kind, on_date, notified FROM verification_reminder WHERE request_id = $1"
        " ORDER BY on_date",
        UUID(ids[0]),
    )
    assert [(r["kind"], r["on_date"]) for r in rows][1:] == [
        ("verification_due_soon", date(2026, 12, 7)),
        ("verification_due_soon", date(2026, 12, 14)),
        ("verification_overdue", date(2026, 12, 15)),
        ("verification_overdue", date(2026, 12, 16)),
    ]
    assert all(r["notified"] for r in rows)


async def test_reminders_reach_the_clients_outbox_and_are_shown(
    admin: Caller, make_user: MakeUser, make_client: MakeClient, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client_id, (request_id,) = await open_requests(
        admin, make_user, make_client, make_account, owner_db, count=1
    )
    reader = await make_user("client", client_id=client_id)
    wanted = await reader.request("PUT", "/api/v1/me/notices", json={"email": "ap@client.example"})
    assert wanted.status_code == 200, wanted.text
    assert await run_on(date(2026, 12, 15)) == 1
    queued = await owner_db.fetch(
        "SELECT kind, recipient, body FROM notice_outbox WHERE client_id = $1", UUID(client_id)
    )
    assert [(q["kind"], q["recipient"]) for q in queued] == [
        ("verification_overdue", "ap@client.example")
    ]
    assert f"/portal/verification/{request_id}" in queued[0]["body"]
    detail: dict[str, Any] = (await admin.get(f"/api/v1/verification-requests/{request_id}")).json()
    newest = detail["reminders"][0]
    assert (newest["kind"], newest["on_date"], newest["notified"]) == (
        "verification_overdue", "2026-12-15", True,
    )  # fmt: skip
    # An answered request is reminded of nothing.
    await owner_db.execute(
        "UPDATE verification_request SET status = 'verified', closed_at = now(), closed_by = $2"
        " WHERE id = $1",
        UUID(request_id), UUID(admin.user_id or ""),
    )  # fmt: skip
    assert await run_on(date(2026, 12, 16)) == 0
