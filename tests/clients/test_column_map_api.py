"""`PUT /api/v1/clients/{id}/column-map`: a client's users set the column map of one kind
of its files, checked as the admin's update checks it and audited; an API token may not."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest

from tests.fixtures import Caller, MakeClient, MakeUser

pytestmark = pytest.mark.clock

OWN = {
    "columns": {"client_account_number": "Acct No", "last_name": "Last", "zip": "Zip",
                "principal_cents": "Bal", "delinquency_date": "DLQ"},
    "date_formats": ["%m/%d/%Y"],
    "amount_format": "cents",
}  # fmt: skip


async def test_a_client_user_sets_its_map_and_a_token_may_not(
    http: httpx.AsyncClient,
    admin: Caller,
    make_client: MakeClient,
    make_user: MakeUser,
    owner_db: asyncpg.Connection,
) -> None:
    client = await make_client()
    url = f"/api/v1/clients/{client['client_id']}/column-map"
    minted = await admin.post(f"/api/v1/clients/{client['client_id']}/tokens", json={"name": "x"})
    token = Caller(http, minted.json()["token"], role="client")
    refused = await token.request("PUT", url, json={"kind": "new_business", "column_map": OWN})
    assert refused.status_code == 403, refused.text
    assert (await admin.get(f"/api/v1/clients/{client['client_id']}")).json()["column_map"] == {}

    user = await make_user("client", client_id=client["client_id"])
    bad = await user.request(
        "PUT", url, json={"kind": "new_business", "column_map": {"columns": {}}}
    )
    assert bad.status_code == 422, bad.text
    fields = {d["field"] for d in bad.json()["error"]["details"]}
    assert "column_map.columns.zip" in fields
    saved = await user.request("PUT", url, json={"kind": "new_business", "column_map": OWN})
    assert saved.status_code == 200, saved.text
    assert saved.json()["column_map"] == {"new_business": OWN}
    assert (await admin.get(f"/api/v1/clients/{client['client_id']}")).json() == saved.json()
    event = await owner_db.fetchrow(
        "SELECT actor_kind, role, before, after FROM audit_event WHERE action = 'client.column_map'"
    )
    assert (event["actor_kind"], event["role"]) == ("user", "client")
    assert json.loads(event["before"])["column_map"] == {}
    assert json.loads(event["after"])["column_map"] == {"new_business": OWN}

    other = await make_client()
    stranger = await user.request(
        "PUT",
        f"/api/v1/clients/{other['client_id']}/column-map",
        json={"kind": "new_business", "column_map": OWN},
    )
    assert stranger.status_code == 404
    collector = await make_user("collector", client_ids=[client["client_id"]])
    staff = await collector.request("PUT", url, json={"kind": "recall", "column_map": {}})
    assert staff.status_code == 403
