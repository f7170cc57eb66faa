"""Two clients, each with something of every kind, and callers of every role.

The isolation matrix and the fuzzing suite run against this world. Each feature that
adds a kind of thing adds it here (for both clients), so that every route taking its id
is exercised with an id that belongs to someone else.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from server.kit import clock
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key

# A path parameter `<entity>_id` names the table `<entity>`; these say otherwise.
ID_TABLES = {
    "token_id": "api_token",
    "user_id": "app_user",
    "phone_id": "debtor_phone",
    "request_id": "verification_request",
    "document_id": "verification_document",
}


@dataclass
class Side:
    client: dict[str, Any]
    user: Caller
    token: Caller
    collector: Caller
    account: dict[str, Any]

    @property
    def client_id(self) -> str:
        return str(self.client["client_id"])


@dataclass
class World:
    admin: Caller
    supervisor: Caller
    a: Side
    b: Side


async def _side(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    method: str = "net",
) -> Side:
    client = await make_client(remittance_method=method)
    # A charge-off date: the itemization date a validation notice needs.
    account = await make_account(client["client_id"], charge_off_date=date(2025, 3, 1))
    user = await make_user("client", client_id=client["client_id"])
    token = await admin.post(
        f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "uploads"}
    )
    collector = await make_user("collector", client_ids=[client["client_id"]])
    return Side(
        client, user, Caller(http, token.json()["token"], role="client"), collector, account
    )


async def build_world(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
) -> World:
    supervisor = await make_user("supervisor")
    a = await _side(http, admin, make_user, make_client, make_account)
    # B remits gross, so its statement has a fee invoice for the matrix to probe.
    b = await _side(http, admin, make_user, make_client, make_account, method="gross")
    for side in (a, b):
        await record_call(side)
        await record_payment(admin, side)
        await record_offer(side)
        await record_dispute(side)
        await write_messages(side, admin)
    await issue_statements(admin, a, b)
    await send_notices()
    await hold_a_placement(b)
    return World(admin=admin, supervisor=supervisor, a=a, b=b)


async def send_notices() -> None:
    """A letter batch with both sides' validation notices (batched, not mailed)."""
    from server.letters import service as letters

    made = await letters.make_batch()
    assert made.batch is not None, made.held


async def hold_a_placement(side: Side) -> None:
    """A placement of the side's awaiting its confirmation (balances 25× its account's), so
    the routes that confirm or cancel one meet one they could decide. Only client B's:
    client A's pages show its figures, which a held file would change."""
    from server.placements import ingest
    from tests.placements.test_ingest import csv_bytes, good_row

    balance = int(side.account["balance_cents"]) * 25 // 100
    body = csv_bytes([good_row(1, principal_cents=str(balance), interest_cents="0",
                               client_account_number="WORLD-HELD")])  # fmt: skip
    response = await side.token.post(
        "/api/v1/placements", params={"client_id": side.client_id}, content=body,
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 202, response.text
    placement_id = UUID(response.json()["placement_id"])
    # Beside a live worker (the browser tests' world) the worker may be loading it: this
    # load then finds it busy, and the placement's own status says when the worker is done.
    deadline = time.monotonic() + 60
    status = await ingest.load_placement(placement_id)
    while status in ("busy", "received", "validating"):
        assert time.monotonic() < deadline, f"the held placement is still {status}"
        await asyncio.sleep(0.05)
        read = await side.token.get(f"/api/v1/placements/{placement_id}")
        status = read.json()["status"]
    assert status == "awaiting_confirmation", status


async def tenant_tables(db: asyncpg.Connection) -> list[str]:
    rows = await db.fetch(
        """
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'client_id'
          AND t.table_type = 'BASE TABLE'
        """
    )
    return sorted({row["table_name"] for row in rows} | {"client"})


def _owner_column(table: str) -> str:
    return "id" if table == "client" else "client_id"


async def id_of(db: asyncpg.Connection, param: str, client_id: str) -> str | None:
    """An id of the kind `param` names that belongs to the client."""
    if param == "batch_id":
        # A letter batch belongs to no client: the one holding the client's letters.
        value = await db.fetchval(
            "SELECT batch_id FROM letter WHERE client_id = $1 ORDER BY batch_id LIMIT 1",
            UUID(client_id),
        )
        return None if value is None else str(value)
    if param == "collector_id":
        # A collector belongs to no client: the one whose portfolio holds the client.
        value = await db.fetchval(
            "SELECT user_id FROM collector_portfolio WHERE client_id = $1 ORDER BY user_id LIMIT 1",
            UUID(client_id),
        )
        return None if value is None else str(value)
    table = ID_TABLES.get(param, param.removesuffix("_id"))
    if table not in await tenant_tables(db):
        return None
    # A held placement first: the one every placement route can act on.
    first = "(status = 'awaiting_confirmation') DESC, id" if table == "placement" else "id"
    value = await db.fetchval(
        f"SELECT id FROM {table} WHERE {_owner_column(table)} = $1 ORDER BY {first} LIMIT 1",
        UUID(client_id),
    )
    return None if value is None else str(value)


async def fingerprint(db: asyncpg.Connection, client_id: str) -> dict[str, str]:
    """Every row the client owns, hashed per table: equal before and after means nothing
    of theirs was changed."""
    prints = {}
    for table in await tenant_tables(db):
        if table == "audit_event":
            continue
        prints[table] = await db.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            f" WHERE {_owner_column(table)} = $1",
            UUID(client_id),
        )
    return prints


async def secrets_of(db: asyncpg.Connection, side: Side) -> set[str]:
    """Strings that must never appear in a response to anyone outside the client."""
    found = {side.client_id, side.client["name"], side.user.username or ""}
    for table in await tenant_tables(db):
        rows = await db.fetch(
            f"SELECT id FROM {table} WHERE {_owner_column(table)} = $1",
            UUID(side.client_id),
        )
        found.update(str(row["id"]) for row in rows)
    return {s for s in found if s}


async def record_call(side: Side) -> None:
    """A call on the side's account: late in the evening (a finding) and a promise."""
    response = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/calls",
        json={"phone": "+16145550199", "direction": "outbound",
              "started_at": "2025-06-02T21:30:00-04:00", "duration_s": 90,
              "outcome": "promise_to_pay", "promise_amount_cents": 5000,
              "promise_due_on": "2025-06-09", "callback_at": "2025-06-03T12:00:00-04:00"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["violations"], "the world's call is meant to be a finding"


async def write_messages(side: Side, admin: Caller) -> None:
    """A message each way on the side's account and one on its placement, with the side's
    user wanting notices, so the matrix probes threads, read marks and the outbox."""
    wants = await side.user.request(
        "PUT", "/api/v1/me/notices", json={"email": f"{side.user.username}@client.example"}
    )
    assert wants.status_code == 200, wants.text
    account_url = f"/api/v1/accounts/{side.account['id']}/messages"
    placement_url = f"/api/v1/placements/{side.account['placement_id']}/messages"
    for caller, url in (
        (side.user, account_url),
        (admin, account_url),
        (side.token, placement_url),
    ):
        response = await caller.post(url, json={"body": "About this, from the world"})
        assert response.status_code == 201, response.text
    assert (await side.user.post(f"{account_url}/read")).status_code == 200


async def record_dispute(side: Side) -> None:
    """An oral dispute on the side's account (it marks the debt and blocks nothing), so the
    matrix probes a client's disputes, the aging report, its verification request and a
    document of it."""
    response = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/disputes",
        json={"channel": "oral", "words": "The consumer says the balance is wrong"},
    )
    assert response.status_code == 201, response.text
    # It opened a verification request; the client's token uploads a document to it.
    requests = (await side.token.get("/api/v1/verification-requests")).json()["items"]
    uploaded = await side.token.post(
        f"/api/v1/verification-requests/{requests[0]['request_id']}/documents",
        params={"kind": "contract", "file_name": "contract.pdf"},
        content=b"%PDF-1.4\n%%EOF\n", headers={"Content-Type": "application/pdf"},
    )  # fmt: skip
    assert uploaded.status_code == 201, uploaded.text


async def record_payment(
    admin: Caller, side: Side, *, amount_cents: int = 1_000, received_at: str = "2026-11-02"
) -> dict[str, Any]:
    """A payment on the side's account, so the matrix has a payment_id to probe."""
    response = await admin.post(
        f"/api/v1/accounts/{side.account['id']}/payments",
        headers={"Idempotency-Key": "world-" + new_key()},
        json={"amount_cents": amount_cents, "method": "ach", "paid_to": "agency",
              "received_at": received_at},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    return payment


async def record_offer(side: Side) -> None:
    """A pending offer on the side's account (below the collector's band), so the matrix has
    an offer_id to probe, decide and withdraw."""
    balance = int(side.account["balance_cents"])
    response = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": balance * 70 // 100},
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending_supervisor", response.text


async def issue_statements(admin: Caller, *sides: Side) -> None:
    """A payment that cleared in an ended period for each side, then the remittance batch
    as of now, so the matrix has a statement_id of each client to probe. Where a live
    worker runs beside the API (the browser tests), its sweep may run the batch first and
    issue a side's statement itself: the statements are read back per client, whichever
    run issued them."""
    for side in sides:
        response = await admin.post(
            f"/api/v1/accounts/{side.account['id']}/payments",
            headers={"Idempotency-Key": "world-remit-" + new_key()},
            json={"amount_cents": 2_000, "method": "ach", "paid_to": "agency",
                  "received_at": "2026-10-01"},
        )  # fmt: skip
        assert response.status_code == 201, response.text
    response = await admin.post("/api/v1/remittance/run", json={})
    assert response.status_code == 200, response.text
    # Each paid out, so the matrix probes the remittance advice too.
    today = clock.agency_today().isoformat()
    for side in sides:
        listed = await admin.get("/api/v1/statements", params={"client_id": side.client_id})
        assert listed.status_code == 200, listed.text
        statements = listed.json()["items"]
        assert statements, f"no statement issued for client {side.client_id}"
        for statement in statements:
            if statement["payout"] is None:
                paid = await admin.post(
                    f"/api/v1/statements/{statement['statement_id']}/payout",
                    json={"method": "ach", "reference": "WORLD-1", "paid_on": today},
                )
                assert paid.status_code == 201, paid.text


@dataclass
class SharedPerson:
    """Two people each client has an account of: one matched by SSN (client A's row has
    the SSN, a dummy name and a ZIP only), one by name + birth date + phone (A's row has
    another address). `b_secrets`: what only client B supplied about them."""

    a_accounts: list[str]
    b_accounts: list[str]
    b_secrets: set[str]


B_SECRETS = {
    "Evangeline", "Secretworth", "77 Hidden Way", "Los Angeles", "90012",
    "evangeline@hidden.example", "+12135550177", "1961-09-17",
    # The second person's name and birth date are A's too (the match): not B's alone.
    "9 Cellar Lane", "Chicago", "60601", "octavia@hidden.example", "+13125550166",
}  # fmt: skip


async def _place_as(side: Side, rows: list[dict[str, str]]) -> list[str]:
    from server.placements import ingest
    from tests.placements.test_ingest import csv_bytes

    response = await side.token.post(
        "/api/v1/placements", params={"client_id": side.client_id}, content=csv_bytes(rows),
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 202, response.text
    assert await ingest.load_placement(UUID(response.json()["placement_id"])) == "loaded"
    numbers = [row["client_account_number"] for row in rows]
    listed = await side.token.get("/api/v1/accounts", params={"client_id": side.client_id})
    found = {a["client_account_number"]: a["account_id"] for a in listed.json()["items"]}
    assert set(numbers) <= set(found), listed.text
    return [found[n] for n in numbers]


async def share_a_person(world: World) -> SharedPerson:
    """Client B places two people in full; client A then places the same two people."""
    from tests.placements.test_ingest import good_row

    b_rows = [
        good_row(901, client_account_number="B-SHARED-SSN", first_name="Evangeline",
                 last_name="Secretworth", ssn="123-45-6789", date_of_birth="1961-09-17",
                 address_line1="77 Hidden Way", city="Los Angeles", state="CA", zip="90012",
                 phone_mobile="(213) 555-0177", email="evangeline@hidden.example"),
        good_row(902, client_account_number="B-SHARED-NAME", first_name="Octavia",
                 last_name="Quillfeather", ssn="", date_of_birth="1958-03-21",
                 address_line1="9 Cellar Lane", city="Chicago", state="IL", zip="60601",
                 phone_mobile="(614) 555-0160", phone_home="(312) 555-0166",
                 email="octavia@hidden.example"),
    ]  # fmt: skip
    blank = {"first_name": "", "date_of_birth": "", "address_line1": "", "city": "",
             "state": "", "phone_mobile": "", "email": ""}  # fmt: skip
    a_rows = [
        good_row(903, **{**blank, "client_account_number": "A-SHARED-SSN",
                         "last_name": "Dummy", "ssn": "123-45-6789", "zip": "43215"}),
        good_row(904, client_account_number="A-SHARED-NAME", first_name="Octavia",
                 last_name="Quillfeather", ssn="", date_of_birth="1958-03-21",
                 address_line1="1 Other St", city="Columbus", state="OH", zip="43215",
                 phone_mobile="(614) 555-0160", email="o.q@a.example"),
    ]  # fmt: skip
    b_accounts = await _place_as(world.b, b_rows)
    a_accounts = await _place_as(world.a, a_rows)
    return SharedPerson(a_accounts, b_accounts, set(B_SECRETS))
