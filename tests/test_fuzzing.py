"""schemathesis against the app's own OpenAPI schema, on a live `agency api` process,
signed in as each role: no 5xx anywhere, and every response matches the schema.

Every route in the schema is fuzzed, so routes added later are covered without editing
this file. Bounded (FUZZ_EXAMPLES per operation) to keep CI fast.
"""

from __future__ import annotations

import os
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
from tests.fixtures import PASSWORD
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
