"""Factories: users of every role signed in over the API, with faker-made data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from faker import Faker

PASSWORD = "correct horse battery staple"


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
