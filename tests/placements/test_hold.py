"""A file whose balances are implausible for the client is held until the client
confirms it (or cancels it): a $250 debt sent as 25000 and read as dollars is never worked
as $25,000.00."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.placements import ingest
from tests.fixtures import Caller, MakeClient, MakeUser
from tests.placements.test_ingest import csv_bytes, good_row, upload


def rows(principals: list[str], first: int = 0) -> bytes:
    made = [
        good_row(first + i, principal_cents=p, interest_cents="0") for i, p in enumerate(principals)
    ]
    return csv_bytes(made)


async def load(caller: Caller, client_id: str, body: bytes) -> dict[str, Any]:
    response = await upload(caller, client_id, body)
    assert response.status_code == 202, response.text
    placement_id = response.json()["placement_id"]
    await ingest.load_placement(UUID(placement_id))
    return dict((await caller.get(f"/api/v1/placements/{placement_id}")).json())


async def queued_from(db: asyncpg.Connection, placement_id: str) -> int:
    return int(
        await db.fetchval(
            "SELECT count(*) FROM queue_item q JOIN account a ON a.id = ANY (q.account_ids)"
            " WHERE a.placement_id = $1",
            UUID(placement_id),
        )
    )


@pytest.fixture
async def client(make_client: MakeClient, admin: Caller) -> dict[str, Any]:
    """A client whose loaded accounts have a median balance of $100.00."""
    made = await make_client()
    history = await load(admin, made["client_id"], rows(["90.00", "100.00", "110.00"], 100))
    assert history["status"] == "loaded"
    return made


@pytest.mark.parametrize(
    ("principals", "status"),
    [
        # The median of the file against 20 × $100.00 = $2,000.00.
        (["1.00", "2000.00", "90000.00"], "loaded"),
        (["1.00", "2000.01", "2000.01"], "awaiting_confirmation"),
        (["25000", "25000"], "awaiting_confirmation"),
    ],
)
async def test_a_file_far_above_the_clients_median_is_held(
    admin: Caller, client: dict[str, Any], principals: list[str], status: str
) -> None:
    placement = await load(admin, client["client_id"], rows(principals))
    assert placement["status"] == status
    assert placement["progress"] == 100


@pytest.mark.parametrize(
    ("ceiling", "principal", "status"),
    [
        (None, "100000.00", "loaded"),
        (None, "100000.01", "awaiting_confirmation"),
        (50_000, "500.00", "loaded"),
        (50_000, "500.01", "awaiting_confirmation"),
    ],
)
async def test_a_first_file_with_a_balance_above_the_clients_ceiling_is_held(
    admin: Caller, make_client: MakeClient, ceiling: int | None, principal: str, status: str
) -> None:
    settings = {} if ceiling is None else {"max_plausible_balance_cents": ceiling}
    made = await make_client(**settings)
    assert made["max_plausible_balance_cents"] == (ceiling or 10_000_000)
    placement = await load(admin, made["client_id"], rows(["10.00", principal, "10.00"]))
    assert placement["status"] == status


async def test_the_ceiling_is_a_validated_setting(admin: Caller, make_client: MakeClient) -> None:
    made = await make_client()
    assert made["max_plausible_balance_cents"] == 10_000_000
    url = f"/api/v1/clients/{made['client_id']}"
    for bad in (0, 99, -1, 10**15, "plenty"):
        response = await admin.patch(url, json={"max_plausible_balance_cents": bad})
        assert response.status_code == 422, (bad, response.text)
        assert "max_plausible_balance_cents" in response.text
    changed = await admin.patch(url, json={"max_plausible_balance_cents": 2_500_000})
    assert changed.json()["max_plausible_balance_cents"] == 2_500_000
    assert (await admin.get(url)).json()["max_plausible_balance_cents"] == 2_500_000


@pytest.fixture
async def people(client: dict[str, Any], make_user: MakeUser) -> tuple[Caller, Caller]:
    """A supervisor who runs the dispatcher, a collector of the client with room, and the
    client's user."""
    supervisor = await make_user("supervisor")
    await make_user("collector", client_ids=[client["client_id"]], capacity=50)
    return supervisor, await make_user("client", client_id=client["client_id"])


async def test_a_held_file_is_not_dispatched_until_the_client_confirms_it(
    admin: Caller,
    client: dict[str, Any],
    people: tuple[Caller, Caller],
    owner_db: asyncpg.Connection,
) -> None:
    supervisor, user = people
    held = await load(admin, client["client_id"], rows(["25000", "25000"]))
    assert held["status"] == "awaiting_confirmation"
    assert (held["accounts_placed"], held["balance_placed_cents"]) == (2, 5_000_000)

    assert (await supervisor.post("/api/v1/dispatch/run")).status_code == 200
    assert await queued_from(owner_db, held["placement_id"]) == 0

    # Staff cannot confirm for the client; the client can, once.
    url = f"/api/v1/placements/{held['placement_id']}"
    assert (await supervisor.post(url + "/confirm")).status_code == 403
    confirmed = await user.post(url + "/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "loaded"
    again = await user.post(url + "/confirm")
    assert again.status_code == 409
    assert (await user.post(url + "/cancel")).status_code == 409
    event = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'placement.confirm' AND entity_id = $1",
        held["placement_id"],
    )
    assert event == 1

    await supervisor.post("/api/v1/dispatch/run")
    assert await queued_from(owner_db, held["placement_id"]) == 2


async def test_a_cancelled_file_leaves_nothing_workable_and_may_be_sent_again(
    client: dict[str, Any],
    people: tuple[Caller, Caller],
    owner_db: asyncpg.Connection,
) -> None:
    supervisor, user = people
    body = rows(["25000", "25000"])
    held = await load(user, client["client_id"], body)
    assert held["status"] == "awaiting_confirmation"

    cancelled = await user.post(f"/api/v1/placements/{held['placement_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "rejected"
    assert cancelled.json()["rejected_reason"] == "cancelled by the client"
    statuses = await owner_db.fetch(
        "SELECT status FROM account WHERE placement_id = $1", UUID(held["placement_id"])
    )
    assert [r["status"] for r in statuses] == ["recalled", "recalled"]
    await supervisor.post("/api/v1/dispatch/run")
    assert await queued_from(owner_db, held["placement_id"]) == 0
    actions = await owner_db.fetch(
        "SELECT action FROM audit_event WHERE entity_id = $1 ORDER BY occurred_at",
        held["placement_id"],
    )
    assert "placement.cancel" in [a["action"] for a in actions]
    confirm = await user.post(f"/api/v1/placements/{held['placement_id']}/confirm")
    assert confirm.status_code == 409

    # The same bytes again are a new placement, loaded (and held) afresh.
    again = await upload(user, client["client_id"], body)
    assert again.status_code == 202, again.text
    assert again.json()["placement_id"] != held["placement_id"]
    await ingest.load_placement(UUID(again.json()["placement_id"]))
    fresh = (await user.get(f"/api/v1/placements/{again.json()['placement_id']}")).json()
    assert (fresh["status"], fresh["accounts_placed"]) == ("awaiting_confirmation", 2)
    # ... and the same bytes once more are that placement, not a third.
    assert (await upload(user, client["client_id"], body)).status_code == 200


async def test_another_clients_placement_cannot_be_confirmed_or_cancelled(
    admin: Caller, client: dict[str, Any], make_client: MakeClient, make_user: MakeUser
) -> None:
    held = await load(admin, client["client_id"], rows(["25000"]))
    other = await make_user("client", client_id=(await make_client())["client_id"])
    for action in ("confirm", "cancel"):
        response = await other.post(f"/api/v1/placements/{held['placement_id']}/{action}")
        assert response.status_code == 404
    assert (await admin.get(f"/api/v1/placements/{held['placement_id']}")).json()[
        "status"
    ] == "awaiting_confirmation"
