"""schemathesis against the app's own OpenAPI schema, on a live `agency api` process,
signed in as each role: no 5xx anywhere, and every response matches the schema.

Every route in the schema is fuzzed, so routes added later are covered without editing
this file. Bounded (FUZZ_EXAMPLES per operation) to keep CI fast.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests import servers
from tests.fixtures import PASSWORD, Caller
from tests.openapi_bodies import instance, resolve
from tests.servers import ROOT

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.fixture(scope="module")
def live_api(services: Any) -> Iterator[str]:
    with servers.live_api() as base:
        yield base


@pytest.fixture(scope="module")
def fuzz_headers(live_api: str) -> dict[str, dict[str, str]]:
    """A signed-in caller of each role (the world of the isolation matrix is not needed:
    random ids exercise the not-found paths, and created data the found ones)."""
    _cli("create-user", "fuzz.admin", "--role", "admin", "--password", PASSWORD)

    def token(username: str) -> str:
        response = httpx.post(
            f"{live_api}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    admin = {"Authorization": f"Bearer {token('fuzz.admin')}"}
    client = httpx.post(
        f"{live_api}/api/v1/clients",
        headers=admin,
        json={
            "name": "Fuzz Client",
            "fee_rates_bps": {"primary": 2500},
            "remittance_cycle": "monthly",
            "remittance_method": "net",
            "clearing_days": {},
            "authority": {
                "collector": {"min_percent": 80, "max_installments": 6, "max_months": 6,
                              "min_installment_cents": 2500},
                "supervisor": {"min_percent": 65, "max_installments": 12, "max_months": 12,
                               "min_installment_cents": 2500},
            },
        },
    ).json()  # fmt: skip
    headers = {"admin": admin}
    for role in ("supervisor", "collector", "client"):
        extra: dict[str, Any] = {}
        if role == "client":
            extra["client_id"] = client["client_id"]
        if role == "collector":
            extra["client_ids"] = [client["client_id"]]
        httpx.post(
            f"{live_api}/api/v1/users",
            headers=admin,
            json={"username": f"fuzz.{role}", "password": PASSWORD, "role": role, **extra},
        ).raise_for_status()
        headers[role] = {"Authorization": f"Bearer {token(f'fuzz.{role}')}"}
    return headers


def test_no_server_errors_and_responses_match_the_schema(
    live_api: str, fuzz_headers: dict[str, dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/schema/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            for headers in fuzz_headers.values():
                case.call_and_validate(
                    base_url=live_api,
                    headers=headers,
                    checks=[
                        not_a_server_error,
                        response_schema_conformance,
                        content_type_conformance,
                    ],
                )

        try:
            fuzz()
        except Exception as error:  # every operation is fuzzed; all failures reported
            failures.append(f"{operation.label}: {error}")
    assert operations > 0
    assert not failures, "\n\n".join(failures)


# --- hostile values on every route ----------------------------------------------------------
# Classes of input that once reached a 500, sent to every operation the schema lists (so a
# route added later is covered too), each answered in words with a 4xx.


def _cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


HOSTILE_CURSORS = [
    _cursor("9999-12-31T23:59:59-14:00", "00000000-0000-4000-8000-000000000001"),
    _cursor("0001-01-01T00:00:00+14:00", "00000000-0000-4000-8000-000000000001"),
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2147483648:00000000-0000-0000-0000-000000000001",
    "-9223372036854775809",
    "%00",
    "not a cursor at all",
    "x" * 5000,
]
HOSTILE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def _filled(path: str) -> str:
    """Path parameters as ids nobody has: the checks below come before any lookup."""
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000001", path)


def _json_body(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


async def test_hostile_bodies_and_cursors_are_refused_in_words_on_every_route(
    http: httpx.AsyncClient, admin: Caller
) -> None:
    spec = (await http.get("/schema/openapi.json")).json()
    components = spec.get("components", {}).get("schemas", {})
    refused: list[str] = []

    def expect(label: str, response: httpx.Response, statuses: set[int], code: str | None) -> None:
        """One of `statuses`; a 400 with `code` when one is named. A role's guard may
        answer 403 before the body is read: refused in words all the same."""
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        if response.status_code == 403 and body.get("error", {}).get("code") == "forbidden":
            return
        if response.status_code not in statuses or (
            code is not None and body.get("error", {}).get("code") != code
        ):
            refused.append(f"{label}: {response.status_code} {response.text[:200]}")

    json_routes = 0
    for method, path, operation in _operations(spec):
        url = _filled(path)
        label = f"{method} {path}"
        if any(p.get("name") == "cursor" for p in operation.get("parameters", [])):
            for cursor in HOSTILE_CURSORS:
                response = await admin.http.request(
                    method, url, params={"cursor": cursor}, headers=admin.headers
                )
                if response.status_code == 400:
                    expect(f"{label} cursor={cursor[:30]}", response, {400}, "invalid_cursor")
                else:
                    # Longer than the parameter's limit (422 naming it), or a path id
                    # nobody has (404): refused in words before the cursor is read.
                    expect(f"{label} cursor={cursor[:30]}", response, {404, 422}, None)
        schema = _json_body(operation)
        if schema is None:
            continue
        json_routes += 1
        headers = {**admin.headers, "Content-Type": "application/json"}
        deep = "[" * 65 + "]" * 65
        expect(
            f"{label} deep",
            await admin.http.request(method, url, content=deep, headers=headers),
            {400},
            "body_too_deep",
        )
        expect(
            f"{label} encoding",
            await admin.http.request(method, url, content=b'{"x": "\xff"}', headers=headers),
            {400},
            "invalid_encoding",
        )
        body = instance(schema, components)
        if not isinstance(body, dict):
            continue
        properties = resolve(schema, components).get("properties", {})
        for name, prop in properties.items():
            prop = resolve(prop, components)
            kinds = {
                prop.get("type"),
                *(resolve(o, components).get("type") for o in prop.get("anyOf", [])),
            }
            formats = {
                prop.get("format"),
                *(resolve(o, components).get("format") for o in prop.get("anyOf", [])),
            }
            if name.endswith(("_cents", "_bps")) and "integer" in kinds:
                for wrong in ("100", 100.0):
                    response = await admin.http.request(
                        method, url, json={**body, name: wrong}, headers=headers
                    )
                    expect(f"{label} {name}={wrong!r}", response, {422}, None)
            if "date-time" in formats:
                for moment in HOSTILE_TIMES:
                    response = await admin.http.request(
                        method, url, json={**body, name: moment}, headers=headers
                    )
                    expect(f"{label} {name}={moment}", response, {400, 404, 409, 422}, None)
    assert json_routes > 10
    assert not refused, "\n".join(refused)
