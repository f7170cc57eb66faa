"""An admin lists users of every role and deactivates one (or activates them again):
after, none of their sign-ins, tokens or refreshes work; never one's own user."""

from __future__ import annotations

import httpx

from tests.fixtures import PASSWORD, Caller, MakeClient, MakeUser


async def test_an_admin_lists_users_by_role(
    admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]], capacity=4)
    supervisor = await make_user("supervisor")
    everyone = (await admin.get("/api/v1/users", params={"limit": 200})).json()["items"]
    names = {u["username"]: u for u in everyone}
    assert {collector.username, supervisor.username, admin.username} <= set(names)
    assert names[collector.username or ""]["client_ids"] == [client["client_id"]]
    assert names[collector.username or ""]["capacity"] == 4
    only = (await admin.get("/api/v1/users", params={"role": "collector"})).json()["items"]
    assert {u["role"] for u in only} == {"collector"}
    assert collector.username in {u["username"] for u in only}
    bad = await admin.get("/api/v1/users", params={"role": "boss"})
    assert bad.status_code == 400 or bad.status_code == 422
    for caller in (collector, supervisor):
        assert (await caller.get("/api/v1/users")).status_code == 403
        assert (
            await caller.patch(f"/api/v1/users/{admin.user_id}", json={"active": False})
        ).status_code == 403


async def test_a_deactivated_user_signs_in_no_more(
    http: httpx.AsyncClient, admin: Caller, make_user: MakeUser
) -> None:
    supervisor = await make_user("supervisor")
    assert (await supervisor.get("/api/v1/me")).status_code == 200
    off = await admin.patch(f"/api/v1/users/{supervisor.user_id}", json={"active": False})
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert (await supervisor.get("/api/v1/me")).status_code == 401
    login = {"username": supervisor.username, "password": PASSWORD}
    assert (await http.post("/api/v1/auth/login", json=login)).status_code == 401
    on = await admin.patch(f"/api/v1/users/{supervisor.user_id}", json={"active": True})
    assert on.json()["active"] is True
    assert (await http.post("/api/v1/auth/login", json=login)).status_code == 200


async def test_an_admin_may_not_deactivate_themself(admin: Caller) -> None:
    refused = await admin.patch(f"/api/v1/users/{admin.user_id}", json={"active": False})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "own_user"
    assert (await admin.get("/api/v1/me")).status_code == 200
    missing = await admin.patch(
        "/api/v1/users/00000000-0000-4000-8000-000000000000", json={"active": False}
    )
    assert missing.status_code == 404
