"""The isolation matrix: every route in the OpenAPI schema, called as no one and as
everyone outside client B (client A's user and API token, a collector whose portfolio
is A), with ids that belong to B.

Routes are enumerated from the schema, so a route added later is covered without editing
this file; a path parameter the world cannot fill fails loudly (add the entity to
tests/world.py) rather than letting the route slip through.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests import world as world_module
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser
from tests.openapi_bodies import instance

# Reachable without credentials, by the contract: probes and sign-in.
PUBLIC_OPERATIONS = frozenset({"Health", "Ready", "Login", "RefreshToken"})
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


async def _request(
    caller: Caller | None,
    http: httpx.AsyncClient,
    method: str,
    url: str,
    body: Any,
    params: dict[str, Any],
) -> httpx.Response:
    kwargs: dict[str, Any] = {"params": params}
    if body is not None:
        kwargs["json"] = body
    if caller is None:
        return await http.request(method.upper(), url, **kwargs)
    return await caller.request(method.upper(), url, **kwargs)


async def _ids_for(db: asyncpg.Connection, names: set[str], client_id: str) -> dict[str, str]:
    found = {}
    for name in names:
        value = await world_module.id_of(db, name, client_id)
        if value is not None:
            found[name] = value
            found[name + "s"] = value
    return found


def _id_names(schema: Any) -> set[str]:
    """Every property or parameter name ending in _id (or _ids) anywhere in a schema."""
    names: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names.update(k.removesuffix("s") for k in value if k.endswith(("_id", "_ids")))
            names |= _id_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _id_names(value)
    return names


async def _sweep(
    http: httpx.AsyncClient,
    spec: Any,
    world: world_module.World,
    ids: dict[str, str],
    secrets: set[str],
    outsiders: dict[str, Caller],
    *,
    own_ids: bool = False,
) -> tuple[list[str], int]:
    """Every route of the schema, as no one and as each outsider, with `ids` filled in.
    With client B's ids, outsiders must be refused; with their own (`own_ids`), they may
    be answered, but never with one of `secrets`."""
    components = spec.get("components", {}).get("schemas", {})
    failures: list[str] = []
    checked = 0
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            op_id = operation.get("operationId", f"{method} {path}")
            path_params = _PARAM.findall(path)
            unresolved = [p for p in path_params if p not in ids]
            if unresolved:
                if not own_ids:
                    failures.append(
                        f"{op_id}: the world has no {unresolved} of client B"
                        " (extend tests/world.py)"
                    )
                continue
            url = _PARAM.sub(lambda m: ids[m.group(1)], path)
            params = {
                p["name"]: ids.get(p["name"])
                or instance(p.get("schema", {}), components, name=p["name"], ids=ids)
                for p in operation.get("parameters", [])
                if p.get("in") == "query" and (p.get("required") or p["name"] in ids)
            }
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = instance(content["application/json"]["schema"], components, ids=ids)

            if not own_ids:
                anonymous = await _request(None, http, method, url, body, params)
                if op_id not in PUBLIC_OPERATIONS and anonymous.status_code != 401:
                    failures.append(f"{op_id}: anonymous got {anonymous.status_code}, not 401")

            for who, caller in outsiders.items():
                if own_ids and method != "get":
                    continue
                response = await _request(caller, http, method, url, body, params)
                checked += 1
                if response.status_code >= 500:
                    failures.append(f"{op_id} as {who}: {response.status_code}")
                if not own_ids and path_params and response.status_code not in (403, 404):
                    failures.append(
                        f"{op_id} as {who} with client B's ids: {response.status_code}, not 403/404"
                    )
                leaked = [s for s in secrets if s in response.text]
                if leaked:
                    failures.append(f"{op_id} as {who}: response contains client B's {leaked}")

            if not own_ids and method == "get" and path_params:
                # The ids are real: staff reach them, so the 404s above mean refusal.
                seen = await _request(world.admin, http, method, url, None, params)
                if seen.status_code != 200:
                    failures.append(f"{op_id} as admin with client B's ids: {seen.status_code}")
    return failures, checked


@pytest.fixture
async def world(
    http: httpx.AsyncClient,
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
) -> world_module.World:
    return await world_module.build_world(http, admin, make_user, make_client, make_account)


async def test_no_route_reaches_another_clients_data(
    http: httpx.AsyncClient, world: world_module.World, owner_db: asyncpg.Connection
) -> None:
    spec = (await http.get("/schema/openapi.json")).json()
    ids = await _ids_for(owner_db, _id_names(spec) | {"client_id"}, world.b.client_id)
    secrets = await world_module.secrets_of(owner_db, world.b)
    before = await world_module.fingerprint(owner_db, world.b.client_id)
    outsiders = {"client A user": world.a.user, "client A token": world.a.token,
                 "collector of A": world.a.collector}  # fmt: skip

    failures, checked = await _sweep(http, spec, world, ids, secrets, outsiders)

    assert checked > 0
    assert not failures, "\n".join(failures)
    assert await world_module.fingerprint(owner_db, world.b.client_id) == before


async def test_two_clients_one_person_learn_and_change_nothing_of_each_other(
    http: httpx.AsyncClient, world: world_module.World, owner_db: asyncpg.Connection
) -> None:
    """Client B placed two people in full; client A placed the same two (one by SSN with a
    dummy name, one by name + birth date + phone): the agency knows each is one person,
    and neither client learns or changes anything the other supplied, on any route."""
    shared = await world_module.share_a_person(world)
    people = await owner_db.fetch(
        "SELECT client_account_number, debtor_id FROM account"
        " WHERE client_account_number LIKE '_-SHARED-%'"
    )
    by_number = {r["client_account_number"]: r["debtor_id"] for r in people}
    assert by_number["A-SHARED-SSN"] == by_number["B-SHARED-SSN"]
    assert by_number["A-SHARED-NAME"] == by_number["B-SHARED-NAME"]

    spec = (await http.get("/schema/openapi.json")).json()
    secrets = await world_module.secrets_of(owner_db, world.b) | shared.b_secrets
    outsiders = {"client A user": world.a.user, "client A token": world.a.token}
    failures: list[str] = []
    # Client A on its own accounts of the shared people: answered, with nothing of B's.
    for account_id in shared.a_accounts:
        own = await _ids_for(owner_db, _id_names(spec) | {"client_id"}, world.a.client_id)
        own.update(account_id=account_id, account_ids=account_id)
        found, _ = await _sweep(http, spec, world, own, secrets, outsiders, own_ids=True)
        failures += found
    # And on B's accounts of them: refused, nothing of B's.
    before = await world_module.fingerprint(owner_db, world.b.client_id)
    for account_id in shared.b_accounts:
        ids = await _ids_for(owner_db, _id_names(spec) | {"client_id"}, world.b.client_id)
        ids.update(account_id=account_id, account_ids=account_id)
        found, _ = await _sweep(http, spec, world, ids, secrets, outsiders)
        failures += found
    # A's maintenance file on its accounts of the shared people changes nothing of B's.
    maintenance = (
        b"client_account_number,address_line1,city,state,zip,phone_home,email\r\n"
        b"A-SHARED-SSN,1 Elsewhere Rd,Miami,FL,33101,(305) 555-0111,new@a.example\r\n"
        b"A-SHARED-NAME,2 Elsewhere Rd,Miami,FL,33101,(312) 555-0166,octavia@hidden.example\r\n"
    )
    response = await world.a.token.post(
        "/api/v1/placements", params={"client_id": world.a.client_id, "kind": "maintenance"},
        content=maintenance, headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 202, response.text
    from server.placements import ingest

    assert await ingest.load_placement(UUID(response.json()["placement_id"])) == "loaded"
    assert not failures, "\n".join(failures)
    assert await world_module.fingerprint(owner_db, world.b.client_id) == before
    # ... nor does B's own view of them learn anything A supplied.
    for account_id in shared.b_accounts:
        seen = (await world.b.user.get(f"/api/v1/accounts/{account_id}")).text
        assert not [s for s in ("Dummy", "Elsewhere", "3055550111", "o.q@a.example", "1 Other St")
                    if s in seen], seen  # fmt: skip
