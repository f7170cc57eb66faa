"""Clients: each setting validated with a clear 422, and each client seen only by its own."""

from __future__ import annotations

from typing import Any

import pytest
from faker import Faker

from tests.fixtures import AUTHORITY, Caller, MakeClient, MakeUser, client_payload


async def test_create_and_read_a_client(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client(remittance_method="gross", remittance_cycle="weekly")
    assert client["fee_rates_bps"] == {"primary": 2500, "secondary": 3500, "legal": 4000}
    # Methods left out get the default holds.
    assert client["clearing_days"] == {"ach": 5, "check": 10, "card": 1, "cash": 0, "other": 5}
    read = await admin.get(f"/api/v1/clients/{client['client_id']}")
    assert read.json() == client


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fee_rates_bps": {"primary": 10_001}}, "fee_rates_bps"),
        ({"fee_rates_bps": {"primary": -1}}, "fee_rates_bps"),
        ({"fee_rates_bps": {"gold": 2500}}, "fee_rates_bps"),
        ({"fee_rates_bps": {"secondary": 3500}}, "fee_rates_bps.primary"),
        ({"remittance_cycle": "hourly"}, "remittance_cycle"),
        ({"remittance_method": "barter"}, "remittance_method"),
        ({"clearing_days": {"ach": 31}}, "clearing_days"),
        ({"clearing_days": {"wire": 1}}, "clearing_days"),
        (
            {"authority": {**AUTHORITY, "collector": {**AUTHORITY["collector"], "min_percent": 0}}},
            "authority.collector.min_percent",
        ),
        (
            {
                "authority": {
                    **AUTHORITY,
                    "supervisor": {**AUTHORITY["supervisor"], "min_percent": 90},
                }
            },
            "authority.supervisor.min_percent",
        ),
        ({"authority": {"collector": AUTHORITY["collector"]}}, "authority.supervisor"),
        (
            {"column_map": {"new_business": {"columns": {"zip": "Zip"}}}},
            "column_map.new_business.columns.client_account_number",
        ),
        ({"column_map": {"monthly_report": {}}}, "column_map.monthly_report"),
        (
            {"column_map": {"new_business": {"date_formats": ["%Y"]}}},
            "column_map.new_business.date_formats[0]",
        ),
        ({"name": ""}, "name"),
    ],
)
async def test_each_setting_is_validated(
    admin: Caller, fake: Faker, owner_db: Any, overrides: dict[str, Any], field: str
) -> None:
    response = await admin.post("/api/v1/clients", json=client_payload(fake, **overrides))
    assert response.status_code == 422, response.text
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    assert await owner_db.fetchval("SELECT count(*) FROM client") == 0


async def test_duplicate_names_conflict(
    admin: Caller, make_client: MakeClient, fake: Faker
) -> None:
    client = await make_client()
    again = await admin.post(
        "/api/v1/clients", json=client_payload(fake, name=client["name"].upper())
    )
    assert again.status_code == 409


async def test_update_validates_like_create(admin: Caller, make_client: MakeClient) -> None:
    client = await make_client()
    url = f"/api/v1/clients/{client['client_id']}"
    bad = await admin.patch(url, json={"fee_rates_bps": {"primary": 20_000}})
    assert bad.status_code == 422
    good = await admin.patch(url, json={"remittance_cycle": "daily", "status": "inactive"})
    assert good.status_code == 200
    assert good.json()["remittance_cycle"] == "daily"
    assert good.json()["fee_rates_bps"] == client["fee_rates_bps"]


async def test_a_client_user_sees_only_its_own_client(
    make_user: MakeUser, make_client: MakeClient
) -> None:
    mine, theirs = await make_client(), await make_client()
    user = await make_user("client", client_id=mine["client_id"])
    assert (await user.get(f"/api/v1/clients/{mine['client_id']}")).status_code == 200
    assert (await user.get(f"/api/v1/clients/{theirs['client_id']}")).status_code == 404
    listed = (await user.get("/api/v1/clients")).json()
    assert [c["client_id"] for c in listed["items"]] == [mine["client_id"]]
    assert (
        await user.patch(f"/api/v1/clients/{mine['client_id']}", json={"name": "x"})
    ).status_code == 403


async def test_clients_list_pages_newest_first(admin: Caller, make_client: MakeClient) -> None:
    made = [await make_client() for _ in range(5)]
    first = (await admin.get("/api/v1/clients?limit=2")).json()
    assert [c["client_id"] for c in first["items"]] == [made[4]["client_id"], made[3]["client_id"]]
    second = (await admin.get(f"/api/v1/clients?limit=2&cursor={first['next_cursor']}")).json()
    assert [c["client_id"] for c in second["items"]] == [made[2]["client_id"], made[1]["client_id"]]
    third = (await admin.get(f"/api/v1/clients?limit=2&cursor={second['next_cursor']}")).json()
    assert [c["client_id"] for c in third["items"]] == [made[0]["client_id"]]
    assert third["next_cursor"] is None
    assert (await admin.get("/api/v1/clients?limit=501")).status_code in (400, 422)
