"""The remittance batch's runs, as an admin reads them: every finished run, nightly or
asked for, the latest first, with what it issued; nobody else's to read."""

from __future__ import annotations

from tests.fixtures import Caller, MakeClient, MakeUser


async def test_an_admin_lists_the_runs_latest_first(
    admin: Caller, make_user: MakeUser, make_client: MakeClient
) -> None:
    for _ in range(2):
        assert (await admin.post("/api/v1/remittance/run", json={})).status_code == 200
    runs = (await admin.get("/api/v1/remittance/runs")).json()
    assert len(runs["items"]) == 2
    first, second = runs["items"]
    assert first["finished_at"] >= second["finished_at"]
    assert {r["statements_issued"] for r in runs["items"]} == {0}
    assert first["started_at"] <= first["finished_at"]
    client = await make_client()
    for caller in (
        await make_user("supervisor"),
        await make_user("collector", client_ids=[client["client_id"]]),
        await make_user("client", client_id=client["client_id"]),
    ):
        assert (await caller.get("/api/v1/remittance/runs")).status_code == 403
