"""Every paginated list is in a total order: rows that share their sort timestamp (one
transaction's inserts share `now()`, one remittance run issues many statements of one
period, a dialer logs calls at one second) come in the same order on every call, and
paging through with any page size visits each row exactly once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key

ROWS = 7
# Every row of a list made here shares this sort timestamp.
TIED = datetime(2026, 10, 14, 16, 0, tzinfo=UTC)


@dataclass
class Listing:
    caller: Caller
    url: str
    params: dict[str, Any]
    id_field: str
    expected: int
    # Work that falls due lists soonest first, ties by id ascending.
    ascending: bool = False


Make = Callable[..., Awaitable[Listing]]


async def _pages(listing: Listing, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(ROWS * 3):
        params = {**listing.params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = await listing.caller.get(listing.url, params=params)
        assert page.status_code == 200, page.text
        seen.extend(str(item[listing.id_field]) for item in page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"{listing.url}: the pages never ended")


async def clients(
    admin: Caller, make_client: MakeClient, db: asyncpg.Connection, **_: Any
) -> Listing:
    ids = [UUID((await make_client())["client_id"]) for _ in range(ROWS)]
    await db.execute("UPDATE client SET created_at = $1 WHERE id = ANY($2::uuid[])", TIED, ids)
    return Listing(admin, "/api/v1/clients", {}, "client_id", ROWS)


async def users(admin: Caller, make_user: MakeUser, db: asyncpg.Connection, **_: Any) -> Listing:
    ids = [UUID((await make_user("supervisor")).user_id or "") for _ in range(ROWS)]
    await db.execute("UPDATE app_user SET created_at = $1 WHERE id = ANY($2::uuid[])", TIED, ids)
    return Listing(admin, "/api/v1/users", {"role": "supervisor"}, "user_id", ROWS)


async def accounts(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    for _ in range(ROWS):
        await make_account(client_id)
    await db.execute("UPDATE account SET created_at = $1", TIED)
    return Listing(admin, "/api/v1/accounts", {"client_id": client_id}, "account_id", ROWS)


async def placements(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    for _ in range(ROWS):
        await make_account(client_id)  # each placed by a file of its own
    await db.execute("UPDATE placement SET created_at = $1", TIED)
    return Listing(admin, "/api/v1/placements", {"client_id": client_id}, "placement_id", ROWS)


async def offers(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection, **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[client_id])
    for _ in range(ROWS):
        account = await make_account(client_id, principal_cents=100_000)
        made = await collector.post(
            f"/api/v1/accounts/{account['id']}/offers",
            json={"kind": "lump_sum", "amount_cents": 90_000},
        )
        assert made.status_code == 201, made.text
    await db.execute("UPDATE offer SET created_at = $1", TIED)
    return Listing(admin, "/api/v1/offers", {"client_id": client_id}, "offer_id", ROWS)


async def _pay(admin: Caller, account_id: str, received_at: str, amount_cents: int = 100) -> None:
    paid = await admin.post(
        f"/api/v1/accounts/{account_id}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": amount_cents, "method": "ach", "paid_to": "agency",
              "received_at": received_at},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text


async def payments(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    account = await make_account((await make_client())["client_id"], principal_cents=100_000)
    await _pay(admin, account["id"], "2026-10-14T12:00:00-04:00")
    # Copies of it received and recorded at the very same instants: only the id tells
    # them apart. Payments are append-only, so the copies are inserted, not edited.
    await db.execute(
        """
        INSERT INTO payment (id, client_id, account_id, amount_cents, method, paid_to,
            received_on, received_at, cleared_on, fee_rate_bps, applied_cents, credit_cents,
            balance_before_cents, balance_after_cents, account_status_after, created_at)
        SELECT gen_random_uuid(), client_id, account_id, amount_cents, method, paid_to,
            received_on, received_at, cleared_on, fee_rate_bps, applied_cents, credit_cents,
            balance_before_cents, balance_after_cents, account_status_after, created_at
        FROM payment, generate_series(2, $1)
        """,
        ROWS,
    )
    return Listing(admin, f"/api/v1/accounts/{account['id']}/payments", {}, "payment_id", ROWS)


async def statements(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, **_: Any
) -> Listing:
    # One monthly statement per client for October, all issued by one run.
    for _ in range(ROWS):
        account = await make_account((await make_client())["client_id"])
        await _pay(admin, account["id"], "2026-10-05")
    ran = await admin.post("/api/v1/remittance/run", json={})
    assert ran.status_code == 200, ran.text
    assert len({s["period_end"] for s in ran.json()["statements"]}) == 1, ran.text
    return Listing(admin, "/api/v1/statements", {}, "statement_id", ROWS)


async def remittance_runs(admin: Caller, db: asyncpg.Connection, **_: Any) -> Listing:
    # Runs are append-only: these finished at one instant as written.
    await db.execute(
        "INSERT INTO remittance_run (id, as_of, statements_issued, started_at, finished_at)"
        " SELECT gen_random_uuid(), $1, 0, $1, $1 FROM generate_series(1, $2)",
        TIED,
        ROWS,
    )
    return Listing(admin, "/api/v1/remittance/runs", {}, "run_id", ROWS)


async def violations(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[client_id])
    for _ in range(ROWS):
        account = await make_account(client_id)
        # The dialer's log: every call at one second, each too late in the evening.
        call = await collector.post(
            f"/api/v1/accounts/{account['id']}/calls",
            json={"phone": "+16145550199", "direction": "outbound",
                  "started_at": "2025-06-02T21:30:00-04:00", "duration_s": 30,
                  "outcome": "no_answer"},
        )  # fmt: skip
        assert call.status_code == 201, call.text
        assert call.json()["violations"], call.text
    return Listing(admin, "/api/v1/violations", {"client_id": client_id}, "evaluation_id", ROWS)


async def _disputed(admin: Caller, account_id: str) -> None:
    made = await admin.post(
        f"/api/v1/accounts/{account_id}/disputes",
        json={"channel": "oral", "words": "I do not owe this"},
    )
    assert made.status_code == 201, made.text


async def account_disputes(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    account = await make_account((await make_client())["client_id"])
    for _ in range(ROWS):
        await _disputed(admin, account["id"])
    await db.execute(
        "UPDATE dispute SET created_at = $1 WHERE account_id = $2", TIED, UUID(account["id"])
    )
    return Listing(admin, f"/api/v1/accounts/{account['id']}/disputes", {}, "dispute_id", ROWS)


async def open_disputes(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection, **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    for _ in range(ROWS):
        await _disputed(admin, (await make_account(client_id))["id"])
    await db.execute(
        "UPDATE dispute SET received_at = $1 WHERE client_id = $2", TIED, UUID(client_id)
    )
    # The client's user reads its own open disputes only: the rows made here.
    reader = await make_user("client", client_id=client_id)
    return Listing(reader, "/api/v1/disputes", {}, "dispute_id", ROWS, True)


async def verification_requests(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection, **_: Any,
) -> Listing:  # fmt: skip
    """Requests all due the same day: the id breaks the tie."""
    client_id = (await make_client())["client_id"]
    for _ in range(ROWS):
        await _disputed(admin, (await make_account(client_id))["id"])
    await db.execute(
        "UPDATE verification_request SET due_on = $1 WHERE client_id = $2",
        TIED.date(), UUID(client_id),
    )  # fmt: skip
    reader = await make_user("client", client_id=client_id)
    return Listing(reader, "/api/v1/verification-requests", {}, "request_id", ROWS, True)


async def _messages(
    db: asyncpg.Connection, client_id: str, author: str | None, **thread: Any
) -> None:
    """ROWS messages from the client on one thread, written at one instant."""
    await db.execute(
        """
        INSERT INTO message (id, client_id, account_id, placement_id, side, author_id,
            author_name, body, created_at)
        SELECT gen_random_uuid(), $1, $2, $3, 'client', $4, 'a client', 'tied', $5
        FROM generate_series(1, $6)
        """,
        UUID(client_id), thread.get("account_id"), thread.get("placement_id"), author, TIED,
        ROWS,
    )  # fmt: skip


async def account_messages(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    account = await make_account(client_id)
    await _messages(db, client_id, admin.user_id, account_id=UUID(account["id"]))
    return Listing(admin, f"/api/v1/accounts/{account['id']}/messages", {}, "message_id", ROWS)


async def placement_messages(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    placement_id = (await make_account(client_id))["placement_id"]
    await _messages(db, client_id, admin.user_id, placement_id=UUID(str(placement_id)))
    url = f"/api/v1/placements/{placement_id}/messages"
    return Listing(admin, url, {}, "message_id", ROWS)


async def message_threads(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    for _ in range(ROWS):
        account = await make_account(client_id)
        await db.execute(
            "INSERT INTO message (id, client_id, account_id, side, author_id, author_name,"
            " body, created_at) VALUES (gen_random_uuid(), $1, $2, 'client', $3, 'a', 'b', $4)",
            UUID(client_id), UUID(account["id"]), admin.user_id, TIED,
        )  # fmt: skip
    return Listing(admin, "/api/v1/messages", {}, "account_id", ROWS)


async def outbox(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    user = await make_user("client", client_id=client_id)
    await db.execute(
        """
        INSERT INTO notice_outbox (id, client_id, user_id, kind, recipient, subject, body,
            message_id, status, attempts, next_attempt_at, created_at)
        SELECT id, $1, $2, 'message', 'a@b.example', 's', 'b', '<' || id || '@x>', 'queued',
            0, $3, $3
        FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $4)) ids
        """,
        UUID(client_id), UUID(user.user_id or ""), TIED, ROWS,
    )  # fmt: skip
    return Listing(admin, "/api/v1/notices/outbox", {}, "notice_id", ROWS)


async def _dial(collector: Caller, account_id: str, **call: Any) -> None:
    """ROWS calls about the account, all started at one second (a dialer's log)."""
    for _ in range(ROWS):
        response = await collector.post(
            f"/api/v1/accounts/{account_id}/calls",
            json={"phone": "+16145550199", "direction": "outbound",
                  "started_at": "2025-06-02T12:30:00-04:00", "duration_s": 0,
                  "outcome": "no_answer", **call},
        )  # fmt: skip
        assert response.status_code == 201, response.text


async def calls(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[client_id])
    account = await make_account(client_id)
    await _dial(collector, str(account["id"]))
    return Listing(admin, f"/api/v1/accounts/{account['id']}/calls", {}, "call_id", ROWS)


async def notes(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, db: asyncpg.Connection,
    **_: Any,
) -> Listing:  # fmt: skip
    client_id = (await make_client())["client_id"]
    account = await make_account(client_id)
    # Notes are append-only: written at one instant here, as one transaction's would be.
    await db.execute(
        """
        INSERT INTO account_note (id, account_id, client_id, author_id, text, created_at)
        SELECT gen_random_uuid(), $1, $2, $3, 'tied', $4 FROM generate_series(1, $5)
        """,
        UUID(account["id"]), UUID(client_id), admin.user_id, TIED, ROWS,
    )  # fmt: skip
    return Listing(admin, f"/api/v1/accounts/{account['id']}/notes", {}, "note_id", ROWS)


async def _callbacks(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser
) -> tuple[Caller, str]:
    client_id = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[client_id])
    account = await make_account(client_id)
    # Each consumer asked to be called back at the same moment.
    await _dial(collector, str(account["id"]), duration_s=30, outcome="callback",
                callback_at="2025-06-03T12:00:00-04:00")  # fmt: skip
    return collector, collector.user_id


async def my_callbacks(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser, **_: Any
) -> Listing:
    collector, _ = await _callbacks(make_client, make_account, make_user)
    return Listing(collector, "/api/v1/queues/me/callbacks", {}, "work_id", ROWS, True)


async def callbacks(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    **_: Any,
) -> Listing:  # fmt: skip
    _, collector_id = await _callbacks(make_client, make_account, make_user)
    url = f"/api/v1/queues/{collector_id}/callbacks"
    return Listing(admin, url, {}, "work_id", ROWS, True)


async def _queued(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection,
) -> Caller:  # fmt: skip
    """A collector's queue of people who share one rank (as no refill deals them)."""
    client_id = (await make_client())["client_id"]
    collector = await make_user("collector", client_ids=[client_id])
    for _ in range(ROWS):
        account = await make_account(client_id)
        await db.execute(
            "INSERT INTO queue_item (id, debtor_id, collector_id, rank, priority, best_score,"
            " account_ids) VALUES (gen_random_uuid(), $1, $2, 1, 0, 500, ARRAY[$3::uuid])",
            UUID(account["debtor_id"]), UUID(collector.user_id), UUID(account["id"]),
        )  # fmt: skip
    return collector


async def my_queue(
    make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection, **_: Any,
) -> Listing:  # fmt: skip
    collector = await _queued(make_client, make_account, make_user, db)
    return Listing(collector, "/api/v1/queues/me", {}, "debtor_id", ROWS, True)


async def queue(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount, make_user: MakeUser,
    db: asyncpg.Connection, **_: Any,
) -> Listing:  # fmt: skip
    collector = await _queued(make_client, make_account, make_user, db)
    return Listing(admin, f"/api/v1/queues/{collector.user_id}", {}, "debtor_id", ROWS, True)


LISTS: dict[str, Make] = {
    "ListClients": clients,
    "ListUsers": users,
    "ListAccounts": accounts,
    "ListPlacements": placements,
    "ListOffers": offers,
    "ListAccountPayments": payments,
    "ListStatements": statements,
    "ListRemittanceRuns": remittance_runs,
    "ListViolations": violations,
    "ListCalls": calls,
    "ListAccountNotes": notes,
    "ListAccountDisputes": account_disputes,
    "ListOpenDisputes": open_disputes,
    "ListVerificationRequests": verification_requests,
    "ListAccountMessages": account_messages,
    "ListPlacementMessages": placement_messages,
    "ListMessageThreads": message_threads,
    "ListOutbox": outbox,
    "GetMyCallbacks": my_callbacks,
    "GetCallbacks": callbacks,
    "GetMyQueue": my_queue,
    "GetQueue": queue,
}


@pytest.mark.parametrize("operation", sorted(LISTS))
async def test_rows_that_tie_on_their_timestamp_page_once_each_in_one_order(
    operation: str,
    admin: Caller,
    make_client: MakeClient,
    make_account: MakeAccount,
    make_user: MakeUser,
    owner_db: asyncpg.Connection,
) -> None:
    listing = await LISTS[operation](
        admin=admin, make_client=make_client, make_account=make_account, make_user=make_user,
        db=owner_db,
    )  # fmt: skip
    whole = await _pages(listing, 500)
    assert len(whole) == len(set(whole)) == listing.expected
    assert await _pages(listing, 500) == whole, "the same list twice in two orders"
    for limit in (1, 2, 3, ROWS - 1):
        assert await _pages(listing, limit) == whole, f"pages of {limit}"
    # The tie-breaker is the id, newest (greatest) first, as the cursor compares; for
    # work that falls due, least first.
    assert whole == sorted(whole, key=UUID, reverse=not listing.ascending)


async def test_every_paginated_list_is_checked(admin: Caller) -> None:
    spec = (await admin.get("/schema/openapi.json")).json()
    paginated = {
        item["get"]["operationId"]
        for item in spec["paths"].values()
        if "get" in item and any(p["name"] == "cursor" for p in item["get"].get("parameters", []))
    }
    # The placement errors list is in line order (line, then id), not by a timestamp.
    assert paginated - set(LISTS) == {"ListPlacementErrors"}
