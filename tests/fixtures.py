"""Factories: users of every role signed in over the API, with faker-made data."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from faker import Faker

PASSWORD = "correct horse battery staple"

# A random hex key holds a Luhn-valid run of 13+ digits about once in 450 (a "card
# number", refused with 422): spell the digits as letters so no key ever does.
_NO_DIGITS = str.maketrans("0123456789", "ghijklmnop")


def client_from(app: Any, address: str) -> httpx.AsyncClient:
    """An HTTP client of the app whose requests come from `address` (rate limits count
    per address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def record_call(
    collector: Caller, account_id: str, started_at: str, outcome: str, **extra: Any
) -> None:
    """A minute-long outbound call, on a number of our own unless `phone` is given."""
    response = await collector.post(
        f"/api/v1/accounts/{account_id}/calls",
        json={"phone": "+16145550199", "direction": "outbound", "started_at": started_at,
              "duration_s": 60, "outcome": outcome, **extra},
    )  # fmt: skip
    assert response.status_code == 201, response.text


def new_key() -> str:
    """A random Idempotency-Key without digits."""
    return uuid.uuid4().hex.translate(_NO_DIGITS)


@dataclass
class Caller:
    """An HTTP client signed in as one user or API token."""

    http: httpx.AsyncClient
    token: str
    user_id: str | None = None
    username: str | None = None
    role: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)


@pytest.fixture(scope="session")
def fake() -> Faker:
    Faker.seed(20261125)
    return Faker("en_US")


async def sign_in(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await http.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
async def admin(http: httpx.AsyncClient, fake: Faker) -> Caller:
    """The first admin, made the way `agency create-user` makes one."""
    from server.auth import service

    username = f"admin.{fake.user_name()}"
    user = await service.create_user_unchecked(
        username=username, password=PASSWORD, role="admin", client_id=None
    )
    token = await sign_in(http, username)
    return Caller(http, token, str(user.user_id), username, "admin")


MakeUser = Callable[..., Awaitable[Caller]]


@pytest.fixture
def make_user(http: httpx.AsyncClient, admin: Caller, fake: Faker) -> MakeUser:
    async def make(role: str, **fields: Any) -> Caller:
        username = f"{role}.{fake.unique.user_name()}"
        response = await admin.post(
            "/api/v1/users",
            json={"username": username, "password": PASSWORD, "role": role, **fields},
        )
        assert response.status_code == 201, response.text
        token = await sign_in(http, username)
        return Caller(http, token, response.json()["user_id"], username, role)

    return make


AUTHORITY = {
    "collector": {
        "min_percent": 80,
        "max_installments": 6,
        "max_months": 6,
        "min_installment_cents": 2500,
    },
    "supervisor": {
        "min_percent": 65,
        "max_installments": 12,
        "max_months": 12,
        "min_installment_cents": 2500,
    },
}


def client_payload(fake: Faker, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": f"{fake.company()} {fake.unique.random_int(1000, 99999)}",
        "fee_rates_bps": {"primary": 2500, "secondary": 3500, "legal": 4000},
        "remittance_cycle": "monthly",
        "remittance_method": "net",
        "clearing_days": {"ach": 5, "check": 10, "card": 1},
        "authority": AUTHORITY,
    }
    payload.update(overrides)
    return payload


MakeClient = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_client(admin: Caller, fake: Faker) -> MakeClient:
    async def make(**overrides: Any) -> dict[str, Any]:
        response = await admin.post("/api/v1/clients", json=client_payload(fake, **overrides))
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


MakeAccount = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_account(owner_db: Any, fake: Faker) -> MakeAccount:
    """An account placed with a client, written the way a loaded placement leaves it
    (debtor, phones, account), for tests of what comes after ingest."""

    async def make(client_id: str, **fields: Any) -> dict[str, Any]:
        import hashlib
        import uuid as uuid_module

        placement_id = await owner_db.fetchval(
            """
            INSERT INTO placement (id, client_id, kind, tier, file_name, sha256, byte_size,
                chunk_count, status, fee_rate_bps, rows_read, rows_accepted, created_at)
            VALUES (gen_random_uuid(), $1, 'new_business', 'primary', 'seed.csv', $2, 0, 0,
                'loaded', $3, 1, 1, now())
            RETURNING id
            """,
            uuid_module.UUID(client_id),
            hashlib.sha256(uuid_module.uuid4().bytes).hexdigest(),
            fields.pop("fee_rate_bps", 2500),
        )
        debtor_id = fields.pop("debtor_id", None)
        new_person = debtor_id is None
        if new_person:
            debtor_id = await owner_db.fetchval(
                "INSERT INTO debtor (id, inconvenient_times) VALUES (gen_random_uuid(), '[]')"
                " RETURNING id"
            )
        # The client's profile of the person (a second account of theirs keeps it).
        await owner_db.execute(
            """
            INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name,
                date_of_birth, ssn_last4, address_line1, city, state, zip5, time_zone, emails,
                supplied_by_placement_id)
            VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '{}', $12)
            ON CONFLICT ON CONSTRAINT debtor_profile_once DO NOTHING
            """,
            debtor_id,
            uuid_module.UUID(client_id),
            fake.first_name(),
            fake.last_name(),
            fake.date_of_birth(minimum_age=25, maximum_age=80),
            f"{fake.random_int(0, 9999):04d}",
            fake.street_address(),
            fields.pop("city", "Columbus"),
            fields.pop("state", "OH"),
            fields.pop("zip5", "43215"),
            fields.pop("time_zone", "America/New_York"),
            placement_id,
        )
        if new_person or "phones" in fields:
            for kind, e164 in fields.pop(
                "phones", [("mobile", f"+1614555{fake.unique.random_int(1000, 9999)}")]
            ):
                await owner_db.execute(
                    """
                    INSERT INTO debtor_phone (id, debtor_id, client_id, e164, kind, status,
                        time_zones, employer_forbids_calls, created_at)
                    VALUES (gen_random_uuid(), $1, $2, $3, $4, 'valid', $5, false, now())
                    ON CONFLICT ON CONSTRAINT debtor_phone_once DO NOTHING
                    """,
                    debtor_id,
                    uuid_module.UUID(client_id),
                    e164,
                    kind,
                    ["America/New_York"],
                )
        principal = fields.pop("principal_cents", 100_000)
        account = await owner_db.fetchrow(
            """
            INSERT INTO account (id, client_id, placement_id, debtor_id, client_account_number,
                original_creditor, tier, fee_rate_bps, principal_cents, interest_cents,
                fees_cents, placed_balance_cents, balance_cents, delinquency_date, status,
                status_since, created_at, updated_at, charge_off_date)
            SELECT gen_random_uuid(), $1, p.id, $2, $3, 'Original Bank', 'primary',
                p.fee_rate_bps, $4, 0, 0, $4, $4, $5, $6, now(), now(), now(), $8
            FROM placement p WHERE p.id = $7
            RETURNING id, client_id, debtor_id, placement_id, client_account_number, balance_cents
            """,
            uuid_module.UUID(client_id),
            debtor_id,
            fields.pop("client_account_number", f"ACC-{fake.unique.random_int(100000, 999999)}"),
            principal,
            fields.pop("delinquency_date", fake.date_between("-2y", "-90d")),
            fields.pop("status", "active"),
            placement_id,
            fields.pop("charge_off_date", None),
        )
        assert not fields, f"unknown fields {sorted(fields)}"
        return {
            key: str(value) if key.endswith("id") else value for key, value in dict(account).items()
        }

    return make
