"""Users, roles, guards, collectors' portfolios and client API tokens."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures import PASSWORD, Caller, MakeClient, MakeUser


async def test_me_describes_the_caller(make_user: MakeUser, make_client: MakeClient) -> None:
    client = await make_client()
    user = await make_user("client", client_id=client["client_id"])
    me = (await user.get("/api/v1/me")).json()
    assert me["role"] == "client"
    assert me["client_id"] == client["client_id"]
    assert me["username"] == user.username


@pytest.mark.parametrize("role", ["supervisor", "collector", "client"])
async def test_only_an_admin_creates_users(
    make_user: MakeUser, make_client: MakeClient, role: str
) -> None:
    client = await make_client()
    extra = {"client_id": client["client_id"]} if role == "client" else {}
    caller = await make_user(role, **extra)
    response = await caller.post(
        "/api/v1/users",
        json={"username": "sneaky.admin", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_a_client_user_must_name_an_existing_client(admin: Caller) -> None:
    missing = await admin.post(
        "/api/v1/users", json={"username": "client.one", "password": PASSWORD, "role": "client"}
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "client_id"
    unknown = await admin.post(
        "/api/v1/users",
        json={
            "username": "client.two",
            "password": PASSWORD,
            "role": "client",
            "client_id": "00000000-0000-0000-0000-000000000042",
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "client_id"


async def test_staff_cannot_be_bound_to_a_client(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client()
    response = await admin.post(
        "/api/v1/users",
        json={
            "username": "super.visor",
            "password": PASSWORD,
            "role": "supervisor",
            "client_id": client["client_id"],
        },
    )
    assert response.status_code == 422


async def test_short_passwords_and_taken_usernames_are_refused(admin: Caller) -> None:
    short = await admin.post(
        "/api/v1/users",
        json={"username": "shorty", "password": "elevenchars", "role": "supervisor"},
    )
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["field"] == "password"
    taken = await admin.post(
        "/api/v1/users",
        json={
            "username": (admin.username or "").upper(),
            "password": PASSWORD,
            "role": "supervisor",
        },
    )
    assert taken.status_code == 409


async def test_collector_portfolio_and_capacity(
    admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> None:
    first, second = await make_client(), await make_client()
    collector = await make_user("collector", client_ids=[first["client_id"]])
    assert (await collector.get("/api/v1/me")).json()["client_ids"] == [first["client_id"]]
    supervisor = await make_user("supervisor")
    updated = await supervisor.patch(
        f"/api/v1/collectors/{collector.user_id}",
        json={"capacity": 80, "client_ids": [second["client_id"]]},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["capacity"] == 80
    assert updated.json()["client_ids"] == [second["client_id"]]
    # The change reaches the collector's very next request.
    assert (await collector.get("/api/v1/me")).json()["client_ids"] == [second["client_id"]]


async def test_collector_capacity_has_bounds(admin: Caller, make_user: MakeUser) -> None:
    collector = await make_user("collector")
    too_big = await admin.patch(
        f"/api/v1/collectors/{collector.user_id}", json={"capacity": 10_001}
    )
    assert too_big.status_code == 422
    assert (
        await admin.patch(f"/api/v1/collectors/{collector.user_id}", json={"capacity": 10_000})
    ).status_code == 200


async def test_a_deactivated_collector_is_locked_out_at_once(
    admin: Caller, make_user: MakeUser
) -> None:
    collector = await make_user("collector")
    assert (await collector.get("/api/v1/me")).status_code == 200
    await admin.patch(f"/api/v1/collectors/{collector.user_id}", json={"active": False})
    assert (await collector.get("/api/v1/me")).status_code == 401


async def test_patching_someone_who_is_not_a_collector_is_not_found(
    admin: Caller, make_user: MakeUser
) -> None:
    supervisor = await make_user("supervisor")
    response = await admin.patch(f"/api/v1/collectors/{supervisor.user_id}", json={"capacity": 5})
    assert response.status_code == 404


async def test_a_collector_may_not_change_collectors(make_user: MakeUser) -> None:
    collector = await make_user("collector")
    response = await collector.patch(
        f"/api/v1/collectors/{collector.user_id}", json={"capacity": 500}
    )
    assert response.status_code == 403


async def test_api_token_works_and_revocation_takes_effect_at_once(
    http: httpx.AsyncClient, admin: Caller, make_client: MakeClient
) -> None:
    client = await make_client()
    created = await admin.post(
        f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "nightly upload"}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    token_caller = Caller(http, secret)
    me = (await token_caller.get("/api/v1/me")).json()
    assert me["kind"] == "api_token"
    assert me["client_id"] == client["client_id"]
    listed = (await admin.get(f"/api/v1/clients/{client['client_id']}/tokens")).json()
    assert [t["name"] for t in listed] == ["nightly upload"]
    assert "token" not in listed[0]
    revoked = await admin.delete(
        f"/api/v1/clients/{client['client_id']}/tokens/{created.json()['token_id']}"
    )
    assert revoked.status_code == 204
    assert (await token_caller.get("/api/v1/me")).status_code == 401


async def test_api_tokens_are_stored_only_as_hashes(
    admin: Caller, make_client: MakeClient, owner_db: object
) -> None:
    client = await make_client()
    created = (
        await admin.post(f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "x"})
    ).json()
    stored = await owner_db.fetchval(  # type: ignore[attr-defined]
        "SELECT token_hash FROM api_token WHERE id = $1", created["token_id"]
    )
    assert created["token"] not in stored
    assert len(stored) == 64
